package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** JVM settings of a master: the heap, passed as -Xms/-Xmx through JAVA_OPTS. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JvmSpec {
  /** JVM size syntax: digits and an optional k, m or g. */
  public static final String HEAP_PATTERN = "^[1-9][0-9]*[kKmMgG]?$";

  @JsonPropertyDescription("Heap size in JVM syntax (-Xmx), e.g. 1g or 768m.")
  @Pattern(HEAP_PATTERN)
  public String heap = "1g";

  @JsonPropertyDescription("Further JVM options appended to JAVA_OPTS.")
  public String extraOptions;
}
