package dev.cutter.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;

/**
 * cutter's logging, set up in code (found by logback through META-INF/services) rather than from
 * an XML file: reading one loads logback's configuration interpreter and the JDK's XML parser,
 * about 360 classes and a tenth of a second on the first log call of every run that connects.
 * stderr is for people and carries warnings only (records go to the report files); every message
 * passes the secret scanner ({@link MaskedLayout}) and exceptions show as their message,
 * never a stack trace. A {@code logback.configurationFile} system property still wins. The runnable
 * jar's logging provider ({@link LogProvider}) applies it directly; on the modules' classes (the
 * tests) logback finds it as a configurator.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

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
    MaskedLayout layout = new MaskedLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
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
