package dev.metacluster.cli.bench;

import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The benchmarked operations, in the order a run performs them. */
public enum BenchOp {
  CREATE("create"),
  MKDIRS("mkdirs"),
  GET_STATUS("getStatus"),
  LIST_STATUS("listStatus"),
  RENAME("rename"),
  DELETE("delete");

  private final String label;

  BenchOp(String label) {
    this.label = label;
  }

  /** The name on the command line and in results. */
  public String label() {
    return label;
  }

  /** Parses a label, ignoring case ("getstatus" works too). */
  public static BenchOp parse(String text) {
    for (BenchOp op : values()) {
      if (op.label.equalsIgnoreCase(text.trim())) {
        return op;
      }
    }
    throw new IllegalArgumentException(
        "unknown op '" + text + "', expected one of " + labels() + " (comma-separated)");
  }

  public static String labels() {
    return Arrays.stream(values()).map(BenchOp::label).collect(Collectors.joining(","));
  }

  /** For picocli: a bad name becomes a usage error naming the valid ones. */
  static final class Converter implements ITypeConverter<BenchOp> {
    @Override
    public BenchOp convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
