package dev.metacluster.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The figures the scenarios measure: one line {@code e2e-figure NAME VALUE UNIT} each on stdout,
 * and all of them in target/e2e-figures.json ({@code {"NAME": {"value": V, "unit": U}}}), merged
 * across scenario classes.
 */
final class Figures {
  private Figures() {}

  static synchronized void record(String name, double value, String unit) {
    String rounded = String.format(java.util.Locale.ROOT, "%.3f", value);
    System.out.println("e2e-figure " + name + " " + rounded + " " + unit);
    Path file = Path.of(System.getProperty("e2e.figures", "target/e2e-figures.json"));
    try {
      ObjectNode all =
          Files.exists(file)
              ? (ObjectNode) Serialization.jsonMapper().readTree(file.toFile())
              : Serialization.jsonMapper().createObjectNode();
      ObjectNode figure = all.putObject(name);
      figure.put("value", Double.parseDouble(rounded));
      figure.put("unit", unit);
      Files.createDirectories(file.toAbsolutePath().getParent());
      Serialization.jsonMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), all);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
