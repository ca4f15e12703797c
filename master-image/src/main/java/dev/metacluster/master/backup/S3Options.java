package dev.metacluster.master.backup;

import picocli.CommandLine.Option;

/** The S3 options of the commands that take a backup location ({@code --s3-endpoint}, ...). */
public final class S3Options {
  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      description =
          "An S3-compatible server (addressed path-style), e.g. http://minio:9000; default: AWS."
              + " Credentials: $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY.")
  String endpoint;

  @Option(
      names = "--s3-region",
      paramLabel = "REGION",
      description = "The bucket's region (default: " + S3Settings.DEFAULT_REGION + ").")
  String region;

  /**
   * The settings given.
   *
   * @throws IllegalArgumentException for a malformed endpoint or region
   */
  public S3Settings settings() {
    return S3Settings.of(endpoint, region);
  }
}
