package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * One volume claim template. Both fields are fixed once the cluster exists: a StatefulSet's volume
 * claim templates cannot change, and a master moved to other storage would lose its data.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "has(self.storageClassName) == has(oldSelf.storageClassName)"
            + " && (!has(self.storageClassName) || self.storageClassName == oldSelf.storageClassName)",
    message = "storageClassName is immutable")
@ValidationRule(
    value = "has(self.size) == has(oldSelf.size) && (!has(self.size) || self.size == oldSelf.size)",
    message = "size is immutable")
public class VolumeSpec {
  /** A positive whole quantity, e.g. 10Gi or 500M (no zero, no sign, no fraction). */
  public static final String SIZE_PATTERN = "^[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";

  @JsonPropertyDescription("Requested size, e.g. 10Gi.")
  @Pattern(SIZE_PATTERN)
  public String size;

  @JsonPropertyDescription("Storage class of the claim; the cluster default when unset.")
  public String storageClassName;

  public VolumeSpec() {}

  public VolumeSpec(String size) {
    this.size = size;
  }
}
