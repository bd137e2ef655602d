package dev.cutter.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The logging provider of cutter's runnable jar (its only {@code SLF4JServiceProvider} entry; the
 * jar leaves out logback's own): a logback context configured by {@link LogSetup} directly. Logback's
 * provider would reach the same configuration through its auto-configuration, which first looks
 * for configurators on the class path, checks the versions of its jars and times itself, about a
 * fifth of a run's logging set-up, spent before the package is read (docs/performance.md). A
 * {@code logback.configurationFile} system property still wins: then logback configures itself as
 * it would have. Tests run on the modules' classes, where logback's provider finds {@link LogSetup}.
 */
public final class LogProvider implements SLF4JServiceProvider {

  /** The SLF4J API version this provider is written for (logback 1.5's). */
  private static final String API_VERSION = "2.0.99";

  private LoggerContext context;
  private IMarkerFactory markers;
  private LogbackMDCAdapter mdc;

  @Override
  public void initialize() {
    context = new LoggerContext();
    context.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
    mdc = new LogbackMDCAdapter();
    context.setMDCAdapter(mdc);
    if (System.getProperty("logback.configurationFile") != null) {
      try {
        new ContextInitializer(context).autoConfig();
      } catch (JoranException | RuntimeException e) {
        // as logback's own provider: logging stays unconfigured, the run goes on
      }
    } else {
      LogSetup.apply(context);
    }
    context.start();
    markers = new BasicMarkerFactory();
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return context;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return API_VERSION;
  }
}
