package dev.cutter.cli;

import java.util.List;

/**
 * Initialises the classes a run's first connection and its report need (the PostgreSQL driver,
 * the pool, then the report's) on a daemon thread while the run reads its package, its password
 * file and trust policy and checks signatures: that work is computing on one core, the other
 * would be idle. It only loads classes: it has no connection settings and opens nothing (the
 * integrity gate still passes before any connection, threat model S1). First the JDK's security
 * providers, which the first SHA-256 digest (the package load's) and the first HMAC (the journal's)
 * would otherwise read on the main thread; then, since the integrity
 * gate needs them before the first connection needs the driver: the signature check's classes and
 * Ed25519's table of base-point multiples, which Bouncy Castle computes on the first verification
 * (a pure function of the curve; it reads no package, key or signature).
 */
final class DriverWarmup {

  /** What the integrity gate's signature check initialises (armour, packets, the verifier), in the order it needs it. */
  static final List<String> INTEGRITY_CLASSES = List.of("dev.cutter.core.integrity.IntegrityVerifier",
      "dev.cutter.core.integrity.SignatureFile", "org.bouncycastle.bcpg.ArmoredInputStream",
      "org.bouncycastle.openpgp.PGPSignature", "org.bouncycastle.openpgp.PGPPublicKeyRing",
      "dev.cutter.core.integrity.KeyValidity", "org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider",
      "org.bouncycastle.crypto.signers.Ed25519Signer", "org.bouncycastle.math.ec.rfc8032.Ed25519");

  /** What the first connection and the check pool initialise, in the order they need it. */
  static final List<String> CLASSES = List.of("dev.cutter.core.db.Connections", "org.postgresql.jdbc.PgConnection",
      "org.postgresql.PGProperty", "org.postgresql.core.v3.ConnectionFactoryImpl", "org.postgresql.core.PGStream",
      "org.postgresql.core.v3.QueryExecutorImpl", "org.postgresql.core.Encoding", "org.postgresql.jdbc.PgStatement",
      "org.postgresql.jdbc.PgResultSet", "com.zaxxer.hikari.HikariConfig", "com.zaxxer.hikari.HikariDataSource",
      "com.zaxxer.hikari.pool.HikariPool",
      // the pool's stand-in for a closed connection: a reflection proxy made when the first pooled
      // connection is handed back (the identity check's), which no class-data archive can hold
      "com.zaxxer.hikari.pool.ProxyConnection$ClosedConnection");

  private DriverWarmup() {}

  /** Starts the thread (the report's classes have their own, {@link RunSupport#warmReportClasses}). */
  static Thread start() {
    Thread t = new Thread(DriverWarmup::warm, "cutter-driver-classes");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Reads the JDK's provider list (a SHA-256 digest, then an HMAC), initialises every class of
   * {@link #INTEGRITY_CLASSES}, Ed25519's precomputed table, then every
   * class of {@link #CLASSES}; returns how many classes could not be (none in a sound build).
   */
  static int warm() {
    int missing = 0;
    try {
      // the JDK's provider list, read on the first digest: the package load hashes every file it reads
      java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException | RuntimeException e) {
      missing++;
    }
    try {
      // the rest of the provider list, down to the JDK's JCE provider: the journal's first HMAC (and a
      // SCRAM login's) would otherwise instantiate each provider before it on the thread that needs it
      javax.crypto.Mac.getInstance("HmacSHA256");
    } catch (java.security.NoSuchAlgorithmException | RuntimeException e) {
      missing++;
    }
    missing += initialise(INTEGRITY_CLASSES);
    try {
      org.bouncycastle.math.ec.rfc8032.Ed25519.precompute(); // once per JVM; a verification waits for it, never repeats it
    } catch (RuntimeException | LinkageError e) {
      missing++;
    }
    return missing + initialise(CLASSES);
  }

  private static int initialise(List<String> names) {
    int missing = 0;
    for (String name : names) {
      try {
        Class.forName(name, true, DriverWarmup.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
        missing++; // the run's own use of the class says what is wrong
      }
    }
    return missing;
  }
}
