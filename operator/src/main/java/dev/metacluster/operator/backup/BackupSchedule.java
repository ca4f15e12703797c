package dev.metacluster.operator.backup;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/** A 5-field (Unix) cron expression, evaluated in UTC. */
public final class BackupSchedule {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final String expression;
  private final ExecutionTime times;

  private BackupSchedule(String expression, ExecutionTime times) {
    this.expression = expression;
    this.times = times;
  }

  /**
   * @throws IllegalArgumentException with cron-utils' words when the expression is not valid
   */
  public static BackupSchedule parse(String expression) {
    String trimmed = expression == null ? "" : expression.trim();
    return new BackupSchedule(trimmed, ExecutionTime.forCron(PARSER.parse(trimmed).validate()));
  }

  /** The first fire time strictly after {@code t}, empty if there is none. */
  public Optional<Instant> next(Instant t) {
    return times.nextExecution(utc(t)).map(ZonedDateTime::toInstant);
  }

  /**
   * The latest fire time at or before {@code now} that is after {@code since}, empty when no fire
   * time lies in between. However many were missed, this is one: a backup is a snapshot of now, and
   * a burst of them would only repeat it.
   */
  public Optional<Instant> due(Instant since, Instant now) {
    Optional<Instant> first = next(since);
    if (first.isEmpty() || first.get().isAfter(now)) {
      return Optional.empty();
    }
    // lastExecution is strictly before its argument: a fire time equal to now is found from now+1s
    Optional<Instant> last =
        times.lastExecution(utc(now.plusSeconds(1))).map(ZonedDateTime::toInstant);
    return Optional.of(last.filter(l -> l.isAfter(since) && !l.isAfter(now)).orElse(first.get()));
  }

  @Override
  public String toString() {
    return expression;
  }

  private static ZonedDateTime utc(Instant t) {
    return t.atZone(ZoneOffset.UTC);
  }
}
