package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import dev.cutter.report.SecretScanner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaskedLayoutTest {

  private final SecretScanner scanner = SecretScanner.forEnvironment(Map.of("PGPASSWORD", "pw-from-env-77"), null);
  private final Logger logger = new LoggerContext().getLogger("test");

  @Test
  void masksSecretsInTheMessageAndItsException() {
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN,
        "pool failed for postgresql://app:{}@db/ledger", new IllegalStateException("auth with pw-from-env-77",
            new RuntimeException("PGPASSWORD=hunter22")), new Object[] {"s3cret-pw"});

    String line = MaskedLayout.mask(scanner, event);

    assertThat(line).contains("postgresql://app:****@db/ledger", "IllegalStateException: auth with ****",
        "PGPASSWORD=****").doesNotContain("s3cret-pw", "pw-from-env-77", "hunter22");
  }

  @Test
  void cuttersLogbackConfigurationUsesIt() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      LogSetup.apply(context);
      context.getLogger("pool").warn("cannot reach postgresql://app:topsecret9@db/ledger",
          new IllegalStateException("boom"));
      context.getLogger("pool").info("an info line is not shown");
      context.getLogger("com.zaxxer.hikari.pool.HikariPool").warn("the pool's warnings are not shown either");
    } finally {
      context.stop();
      System.setErr(stderr);
    }

    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo(
        "cutter: WARN pool: cannot reach postgresql://app:****@db/ledger (java.lang.IllegalStateException: boom)\n");
  }

  /** The runnable jar's provider: the same line, masked; a configuration file named by property is left to logback. */
  @Test
  void theJarsProviderSetsUpTheSameLoggingAndLeavesAConfigurationFileToLogback() throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    String before = System.getProperty("logback.configurationFile");
    try {
      LogProvider provider = new LogProvider();
      provider.initialize();
      org.slf4j.Logger pool = provider.getLoggerFactory().getLogger("dev.cutter.cli.Pool");
      pool.warn("cannot reach postgresql://app:topsecret9@db/ledger", new IllegalStateException("boom"));
      pool.info("an info line is not shown");
      provider.getLoggerFactory().getLogger("com.zaxxer.hikari.pool.HikariPool").warn("nor the pool's warnings");
      assertThat(provider.getMDCAdapter()).isNotNull();
      assertThat(provider.getMarkerFactory()).isNotNull();
      assertThat(provider.getRequestedApiVersion()).startsWith("2.0.");
      ((LoggerContext) provider.getLoggerFactory()).stop();

      Path file = Files.writeString(Files.createTempDirectory("cutter-logback").resolve("elsewhere.xml"),
          "<configuration><appender name=\"ELSEWHERE\" class=\"ch.qos.logback.core.helpers.NOPAppender\"/>"
              + "<root level=\"INFO\"><appender-ref ref=\"ELSEWHERE\"/></root></configuration>");
      System.setProperty("logback.configurationFile", file.toString());
      LogProvider other = new LogProvider();
      other.initialize();
      LoggerContext context = (LoggerContext) other.getLoggerFactory();
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ELSEWHERE")).isNotNull();
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
      context.stop();
    } finally {
      System.setErr(stderr);
      if (before != null) {
        System.setProperty("logback.configurationFile", before);
      } else {
        System.clearProperty("logback.configurationFile");
      }
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).startsWith(
        "cutter: WARN Pool: cannot reach postgresql://app:****@db/ledger (java.lang.IllegalStateException: boom)\n")
        .doesNotContain("topsecret9", "info line", "pool's warnings");
  }

  @Test
  void logbackFindsTheSetUpAsAServiceAndAConfigurationFilePropertyStillWins() {
    assertThat(java.util.ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream()
        .map(p -> p.type().getName()).toList()).containsExactly(LogSetup.class.getName());
    LoggerContext context = new LoggerContext();
    String before = System.getProperty("logback.configurationFile");
    try {
      System.setProperty("logback.configurationFile", "elsewhere.xml");
      assertThat(new LogSetup().configure(context))
          .isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
      System.clearProperty("logback.configurationFile");
      assertThat(new LogSetup().configure(context))
          .isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
    } finally {
      context.stop();
      if (before != null) {
        System.setProperty("logback.configurationFile", before);
      }
    }
  }
}
