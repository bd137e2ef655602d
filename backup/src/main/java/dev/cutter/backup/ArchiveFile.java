package dev.cutter.backup;

/**
 * One file of a directory-format backup as the envelope lists it: its name in the archive
 * ({@code toc.dat}, {@code 3456.dat.gz}, ...), its plaintext size and sha256, and the file stored
 * in the backup directory with its size and sha256: the same file when the backup is not
 * encrypted, else {@code <name>.pgp}, the file encrypted on its own.
 */
public record ArchiveFile(String name, long bytes, String sha256, String storedName, long storedBytes, String storedSha256) {

  public boolean encrypted() {
    return !name.equals(storedName);
  }
}
