package dev.cutter.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * cutter's logging, set up in code (found by logback through META-INF/services) rather than from
 * an XML file: reading one loads logback's configuration interpreter and the JDK's XML parser,
 * about 360 classes and a tenth of a second on the first log call of every run that connects.
 * stderr is for people and carries warnings only (records go to the report files); every message
 * passes the secret scanner ({@link MaskedMessageConverter}) and exceptions show as their message,
 * never a stack trace. A {@code logback.configurationFile} system property still wins.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

  /** The line format: {@code cutter: WARN PassFile: message}. */
  static final String PATTERN = "cutter: %level %logger{0}: %msg%n%nopex";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    apply(context);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Configures {@code context} as cutter logs. */
  static void apply(LoggerContext context) {
    // logback's own status messages stay off stderr
    context.getStatusManager().add(new NopStatusListener());
    Map<String, Supplier<DynamicConverter>> rules = new HashMap<>();
    rules.put("msg", MaskedMessageConverter::new);
    context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);

    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    context.getLogger("io.zonky").setLevel(Level.ERROR);
    context.getLogger("com.zaxxer.hikari").setLevel(Level.ERROR);
    context.getLogger("org.testcontainers").setLevel(Level.OFF);
    // the Docker client logs a failed pull itself; the sandbox refuses it in one line
    context.getLogger("com.github.dockerjava").setLevel(Level.OFF);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
  }
}
