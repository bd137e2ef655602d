package dev.cutter.backup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.gpg.keybox.BlobType;
import org.bouncycastle.gpg.keybox.KeyBlob;
import org.bouncycastle.gpg.keybox.PublicKeyRingBlob;
import org.bouncycastle.gpg.keybox.bc.BcKeyBox;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPComponentKey;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;

/**
 * Resolves {@code encrypt_to}: expands {@code ${ENV}}, finds each fingerprint in the package's key
 * file or the user's GnuPG public keyring (pubring.kbx or pubring.gpg), and proves the key fit to
 * encrypt to: bound by valid self-signatures, unexpired, unrevoked, with an encryption-capable key.
 */
public final class RecipientKeys {

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final String ARMOR_BEGIN = "-----BEGIN PGP";
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-F]{40}|[0-9A-F]{64}");

  private RecipientKeys() {}

  /** An {@code encrypt_to} entry names a variable that is not set. */
  public static final class UnsetVariableException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String variable;

    UnsetVariableException(String variable, String entry) {
      super("encrypt_to entry '" + entry + "' uses ${" + variable + "}, which is not set in the environment");
      this.variable = variable;
    }

    public String variable() {
      return variable;
    }
  }

  /** One recipient as resolved: the fingerprint asked for, and the key to encrypt to or the problem. */
  public record Recipient(String fingerprint, Optional<PGPPublicKey> encryptionKey, String problem, String source) {
    public boolean usable() {
      return encryptionKey.isPresent();
    }

    /** The fingerprint of the (sub)key the data is encrypted to, upper-case hex. */
    public String encryptionKeyFingerprint() {
      return encryptionKey.map(k -> hex(k.getFingerprint())).orElse(null);
    }
  }

  /** Expands {@code ${NAME}} in each entry from {@code env}; an unset (or empty) variable is an error naming it. */
  public static List<String> expand(List<String> encryptTo, Map<String, String> env) throws UnsetVariableException {
    List<String> out = new ArrayList<>();
    for (String entry : encryptTo) {
      Matcher m = VARIABLE.matcher(entry);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String value = env.get(m.group(1));
        if (value == null || value.isBlank()) {
          throw new UnsetVariableException(m.group(1), entry);
        }
        m.appendReplacement(sb, Matcher.quoteReplacement(value));
      }
      m.appendTail(sb);
      out.add(sb.toString());
    }
    return out;
  }

  /** A fingerprint as written (spaces, 0x prefix, any case) → upper-case hex, or empty when it is not one. */
  static Optional<String> normalize(String fingerprint) {
    String f = fingerprint.replace(" ", "").toUpperCase(Locale.ROOT);
    if (f.startsWith("0X")) {
      f = f.substring(2);
    }
    return FINGERPRINT.matcher(f).matches() ? Optional.of(f) : Optional.empty();
  }

  /**
   * Where keys are looked up: the package's key file when given, else GNUPGHOME (or ~/.gnupg)
   * pubring.kbx, else pubring.gpg there.
   */
  static Path keySource(Optional<Path> keyFile, Map<String, String> env) {
    if (keyFile.isPresent()) {
      return keyFile.get();
    }
    String gnupgHome = env.get("GNUPGHOME");
    Path home = gnupgHome != null && !gnupgHome.isBlank()
        ? Path.of(gnupgHome)
        : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".gnupg");
    Path kbx = home.resolve("pubring.kbx");
    return Files.exists(kbx) ? kbx : home.resolve("pubring.gpg");
  }

  /** Looks up and checks every fingerprint; each comes back usable or with its problem. */
  public static List<Recipient> resolve(List<String> fingerprints, Optional<Path> keyFile, Map<String, String> env,
      Date now) {
    Path source = keySource(keyFile, env);
    List<PGPPublicKeyRing> rings;
    String loadProblem = null;
    try {
      rings = load(source);
    } catch (IOException | PGPException | RuntimeException e) {
      rings = List.of();
      loadProblem = "cannot read keys from " + source + ": " + e.getMessage();
    }
    List<Recipient> out = new ArrayList<>();
    for (String written : fingerprints) {
      Optional<String> fpr = normalize(written);
      if (fpr.isEmpty()) {
        out.add(new Recipient(written, Optional.empty(),
            "'" + written + "' is not a full key fingerprint (40 or 64 hex digits)", source.toString()));
      } else if (loadProblem != null) {
        out.add(new Recipient(fpr.get(), Optional.empty(), loadProblem, source.toString()));
      } else {
        out.add(check(fpr.get(), rings, now, source));
      }
    }
    return out;
  }

  private static Recipient check(String fpr, List<PGPPublicKeyRing> rings, Date now, Path source) {
    for (PGPPublicKeyRing ring : rings) {
      for (PGPPublicKey key : ring) {
        if (hex(key.getFingerprint()).equals(fpr)) {
          return checkCertificate(fpr, ring, key.isMasterKey() ? null : key, now, source);
        }
      }
    }
    return new Recipient(fpr, Optional.empty(), "no key with fingerprint " + fpr + " in " + source, source.toString());
  }

  private static Recipient checkCertificate(String fpr, PGPPublicKeyRing ring, PGPPublicKey namedSubkey, Date now,
      Path source) {
    String src = source.toString();
    OpenPGPCertificate cert;
    try {
      cert = new OpenPGPCertificate(ring);
    } catch (RuntimeException e) {
      return new Recipient(fpr, Optional.empty(), "key " + fpr + " cannot be read: " + e.getMessage(), src);
    }
    if (cert.getPrimaryKey().getRevocation(now) != null || cert.getRevocation(now) != null) {
      return new Recipient(fpr, Optional.empty(), "key " + fpr + " is revoked", src);
    }
    Date expires = cert.getExpirationTime(now);
    if (expires != null && !expires.after(now)) {
      return new Recipient(fpr, Optional.empty(), "key " + fpr + " expired at " + expires.toInstant(), src);
    }
    if (!cert.getPrimaryKey().isBoundAt(now)) {
      return new Recipient(fpr, Optional.empty(), "key " + fpr + " has no valid self-signature now", src);
    }
    Optional<PGPPublicKey> enc = cert.getEncryptionKeys(now).stream()
        .filter(k -> namedSubkey == null || k.getKeyIdentifier().matches(namedSubkey.getKeyIdentifier()))
        .max(Comparator.comparing(OpenPGPComponentKey::getCreationTime))
        .map(OpenPGPComponentKey::getPGPPublicKey);
    if (enc.isEmpty()) {
      return new Recipient(fpr, Optional.empty(),
          "key " + fpr + " has no valid, unexpired, unrevoked encryption-capable key", src);
    }
    return new Recipient(fpr, enc, null, src);
  }

  /** Every public key ring in an armored or binary key file, a keybox or a legacy keyring. */
  static List<PGPPublicKeyRing> load(Path source) throws IOException, PGPException {
    if (!Files.exists(source)) {
      throw new IOException("no such file");
    }
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    if (source.getFileName().toString().endsWith(".kbx")) {
      try (InputStream in = Files.newInputStream(source)) {
        for (KeyBlob blob : new BcKeyBox(in).getKeyBlobs()) {
          if (blob.getType() == BlobType.OPEN_PGP_BLOB && blob instanceof PublicKeyRingBlob pk) {
            rings.add(pk.getPGPPublicKeyRing());
          }
        }
      }
      return rings;
    }
    byte[] content = Files.readAllBytes(source);
    String text = new String(content, StandardCharsets.ISO_8859_1);
    if (!text.contains(ARMOR_BEGIN)) {
      readRings(content, rings);
      return rings;
    }
    // several armored blocks may be concatenated (one per recipient): read each one
    for (int at = text.indexOf(ARMOR_BEGIN); at >= 0; at = text.indexOf(ARMOR_BEGIN, at + 1)) {
      int next = text.indexOf(ARMOR_BEGIN, at + 1);
      readRings(text.substring(at, next < 0 ? text.length() : next).getBytes(StandardCharsets.ISO_8859_1), rings);
    }
    return rings;
  }

  private static void readRings(byte[] block, List<PGPPublicKeyRing> rings) throws IOException, PGPException {
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(block))) {
      PGPObjectFactory f = new PGPObjectFactory(in, new BcKeyFingerprintCalculator());
      Object o;
      while ((o = f.nextObject()) != null) {
        if (o instanceof PGPPublicKeyRing r) {
          rings.add(r);
        } else if (o instanceof PGPPublicKeyRingCollection c) {
          c.forEach(rings::add);
        }
      }
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().withUpperCase().formatHex(bytes);
  }
}
