package dev.metacluster.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Prints results as a table for people and writes them as a JSON array for tools. */
final class BenchReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private BenchReport() {}

  static void printTable(List<BenchResult> results, PrintWriter out) {
    String format = "%-11s %7s %10s %12s %9s %9s %9s %7s%n";
    out.printf(format, "op", "threads", "ops", "ops/s", "p50 µs", "p99 µs", "p999 µs", "errors");
    for (BenchResult r : results) {
      out.printf(
          format,
          r.op(),
          r.threads(),
          r.ops(),
          String.format("%.1f", r.opsPerSec()),
          r.p50Us(),
          r.p99Us(),
          r.p999Us(),
          r.errors());
    }
    for (BenchResult r : results) {
      if (r.fill() != null) {
        BenchResult.Fill fill = r.fill();
        out.printf(
            "%s: %,d inodes (%,d files) in %.1f s; heap used after GC %s of max %s;"
                + " on disk %s = %.1f bytes/inode%n",
            r.op(),
            fill.inodes(),
            r.ops(),
            r.elapsedSec(),
            mib(fill.heapUsedAfterGcBytes()),
            mib(fill.maxHeapBytes()),
            mib(fill.diskBytes()),
            fill.diskBytesPerInode());
      }
      if (r.connections() != null) {
        BenchResult.Connections connections = r.connections();
        out.printf(
            "%s: %,d connections open, %,d of them active; %s file descriptors open of a limit"
                + " (ulimit -n) of %s%n",
            r.op(),
            connections.connections(),
            connections.activeConnections(),
            connections.openFds() == null ? "?" : String.format("%,d", connections.openFds()),
            connections.maxFds() == null ? "?" : String.format("%,d", connections.maxFds()));
      }
      if (r.firstError() != null) {
        out.printf("%s: %,d errors, first: %s%n", r.op(), r.errors(), r.firstError());
      }
    }
    out.flush();
  }

  static void writeJson(List<BenchResult> results, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), results);
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
