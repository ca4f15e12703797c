package dev.metacluster.master.backup;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * How to reach S3: an endpoint (any S3-compatible server, addressed path-style; null for AWS
 * itself), a region, and the size of the parts an archive is uploaded in (one part is held in
 * memory). Credentials come from {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} (and
 * {@code AWS_SESSION_TOKEN} when set).
 */
public record S3Settings(URI endpoint, String region, int partSize) {
  public static final String DEFAULT_REGION = "us-east-1";

  /** Parts of 16 MiB: S3 allows 10,000 parts, so archives up to 160 GiB. */
  public static final int DEFAULT_PART_SIZE = 16 << 20;

  /** S3's smallest part (but the last). */
  public static final int MIN_PART_SIZE = 5 << 20;

  static final String ACCESS_KEY = "AWS_ACCESS_KEY_ID";
  static final String SECRET_KEY = "AWS_SECRET_ACCESS_KEY";
  static final String SESSION_TOKEN = "AWS_SESSION_TOKEN";

  /**
   * Checks what a person gave: {@code endpoint} (may be null) an http(s) URL, {@code region} (null
   * for the default) a region name.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static S3Settings of(String endpoint, String region) {
    URI uri = null;
    if (endpoint != null) {
      try {
        uri = new URI(endpoint);
      } catch (URISyntaxException e) {
        uri = null;
      }
      if (uri == null
          || uri.getHost() == null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException(
            "S3 endpoint '" + endpoint + "' is not an http:// or https:// URL with a host");
      }
    }
    String r = region == null ? DEFAULT_REGION : region.strip();
    if (!r.matches("[a-z0-9-]{1,64}")) {
      throw new IllegalArgumentException("S3 region '" + region + "' is not a region name");
    }
    return new S3Settings(uri, r, DEFAULT_PART_SIZE);
  }

  /** The same with another part size (at least {@link #MIN_PART_SIZE}). */
  public S3Settings withPartSize(int bytes) {
    if (bytes < MIN_PART_SIZE) {
      throw new IllegalArgumentException("S3 part size must be at least " + MIN_PART_SIZE);
    }
    return new S3Settings(endpoint, region, bytes);
  }

  /**
   * A client with the credentials from {@code env}.
   *
   * @throws IOException when the credentials are missing
   */
  public S3Client client(Map<String, String> env) throws IOException {
    String id = env.get(ACCESS_KEY);
    String secret = env.get(SECRET_KEY);
    if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
      throw new IOException(
          "no S3 credentials: set " + ACCESS_KEY + " and " + SECRET_KEY + " in the environment");
    }
    String token = env.get(SESSION_TOKEN);
    AwsCredentials credentials =
        token == null || token.isBlank()
            ? AwsBasicCredentials.create(id, secret)
            : AwsSessionCredentials.create(id, secret, token);
    var builder =
        S3Client.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofMinutes(2)))
            .region(Region.of(region))
            .credentialsProvider(StaticCredentialsProvider.create(credentials))
            // Checksums only where S3 requires them: S3-compatible servers may not know the
            // newer trailing-checksum (aws-chunked) uploads. Integrity is the archive's SHA-256.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (endpoint != null) {
      builder.endpointOverride(endpoint).forcePathStyle(true);
    }
    return builder.build();
  }
}
