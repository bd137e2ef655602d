package dev.cutter.backup;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Date;
import java.util.List;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;

/**
 * OpenPGP encryption of a stream to several recipients: AES-256 with an integrity packet (MDC),
 * no compression (a custom-format dump is compressed already), the bulk cipher from the JDK's own
 * providers (several times faster than Bouncy Castle's pure-Java engine); only the session-key
 * wrapping uses Bouncy Castle's lightweight API, which handles every key type gpg makes.
 */
final class OpenPgpEncryption {

  private static final int BUFFER = 1 << 16;

  private OpenPgpEncryption() {}

  /**
   * A stream whose bytes reach {@code out} encrypted as one literal data packet named
   * {@code fileName}. Closing it finishes the OpenPGP packets but leaves {@code out} open.
   */
  static OutputStream encryptingStream(OutputStream out, List<PGPPublicKey> recipients, String fileName, Date modified)
      throws IOException {
    PGPEncryptedDataGenerator gen = new PGPEncryptedDataGenerator(
        new JcePGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256)
            .setWithIntegrityPacket(true)
            .setSecureRandom(new SecureRandom()));
    for (PGPPublicKey key : recipients) {
      gen.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(key));
    }
    OutputStream encrypted;
    try {
      encrypted = gen.open(out, new byte[BUFFER]);
    } catch (PGPException e) {
      throw new IOException("cannot start OpenPGP encryption: " + e.getMessage(), e);
    }
    PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
    OutputStream plain = literal.open(encrypted, PGPLiteralData.BINARY, fileName, modified, new byte[BUFFER]);
    return new FilterOutputStream(plain) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        plain.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        plain.close();
        encrypted.close();
      }
    };
  }
}
