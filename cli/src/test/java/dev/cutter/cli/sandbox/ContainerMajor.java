package dev.cutter.cli.sandbox;

/**
 * The PostgreSQL major the Testcontainers tests ask for: the one whose {@code postgres:<major>}
 * image the engine has or can pull ({@code CUTTER_TESTCONTAINERS_MAJOR}, set by the CI scripts;
 * default 15, the tests' embedded major).
 */
public final class ContainerMajor {

  public static final String VARIABLE = "CUTTER_TESTCONTAINERS_MAJOR";

  private ContainerMajor() {}

  public static int get() {
    String v = System.getenv(VARIABLE);
    return v == null || v.isBlank() ? 15 : Integer.parseInt(v.strip());
  }
}
