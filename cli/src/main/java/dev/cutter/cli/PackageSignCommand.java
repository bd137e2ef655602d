package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.integrity.DetachedSigner;
import java.io.IOException;
import dev.cutter.core.integrity.StaleSignatures;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cutter package sign}: append one approver's detached signature over package.yaml to package.yaml.asc. */
@Command(name = "sign", mixinStandardHelpOptions = true,
    description = {
      "Sign the exact bytes of package.yaml and append the armored detached signature to package.yaml.asc "
          + "(one block per approver; the same as gpg --armor --detach-sign package.yaml, appended).",
      "Refused (exit 2) while package.yaml.asc holds signatures made over other bytes: remove them first "
          + "(cutter package hash --drop-signatures)."})
final class PackageSignCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin PackageArgument pkg;

  @Option(names = "--key", required = true, paramLabel = "SECRET.asc", description = "The approver's armored secret key.")
  Path key;

  @Mixin PassphraseOptions passphrase;

  @Override
  public Integer call() throws IOException {
    Path yaml = PackagePaths.packageYaml(pkg.path());
    DetachedSigner.SecretKey ring = DetachedSigner.readSecretKey(readKey(), key.toString());
    char[] secret = passphrase.unlock(key.getFileName().toString());
    DetachedSigner.Signed signed;
    try {
      // Signed over the bytes read once: the stale check and the signature see the same package.yaml.
      byte[] bytes = Files.readAllBytes(yaml);
      refuseNextToStale(yaml, bytes);
      signed = DetachedSigner.sign(new ByteArrayInputStream(bytes), ring, secret, Instant.now());
    } finally {
      Arrays.fill(secret, '\0');
    }
    Path asc = DetachedSigner.append(yaml, signed.armored());
    spec.commandLine().getOut().println("signed " + yaml + " as " + signed.primaryFingerprint()
        + (signed.userId().isEmpty() ? "" : " " + signed.userId()));
    spec.commandLine().getOut().println("signature appended to " + asc);
    return ExitCodes.OK;
  }

  /** A signature appended next to signatures over other bytes would leave a file that can never verify: exit 2. */
  private void refuseNextToStale(Path yaml, byte[] bytes) throws IOException {
    StaleSignatures.Scan scan = StaleSignatures.scan(yaml, bytes);
    if (scan.stale() > 0) {
      String asc = scan.file().getFileName().toString();
      throw CutterException.invalid(asc + " holds " + scan.stale() + " signature" + (scan.stale() == 1 ? "" : "s")
          + " made over other bytes of package.yaml: run cutter package hash --drop-signatures " + pkg.path()
          + " (or delete " + asc + "), then sign again");
    }
  }

  private byte[] readKey() throws IOException {
    try {
      return Files.readAllBytes(key);
    } catch (NoSuchFileException e) {
      throw CutterException.invalid(key + ": no such secret key file");
    }
  }
}
