package dev.cutter.backup;

/**
 * The header of a pg_dump custom-format archive: archive version, integer and
 * offset sizes, format, compression, creation time and the versions that wrote it.
 */
public record ArchiveHeader(
    int versionMajor,
    int versionMinor,
    int versionRevision,
    int intSize,
    int offSize,
    int format,
    int compression,
    String createdAt,
    String databaseName,
    String serverVersion,
    String pgDumpVersion) {

  /** Format byte of a custom-format archive ({@code pg_dump -Fc}). */
  public static final int FORMAT_CUSTOM = 1;
  /**
   * Format byte of a directory-format archive's toc.dat ({@code pg_dump -Fd}): pg_dump writes 3
   * there (the value its tar format's toc.dat also holds); 5, the format's own number, is accepted too.
   */
  public static final int FORMAT_DIRECTORY = 3;

  /** As pg_restore prints it, e.g. {@code 1.14-0}. */
  public String archiveVersion() {
    return versionMajor + "." + versionMinor + "-" + versionRevision;
  }

  public String formatName() {
    return switch (format) {
      case 0 -> "unknown";
      case 1 -> "custom";
      case 2 -> "files";
      case 3 -> "tar";
      case 4 -> "null";
      case 5 -> "directory";
      default -> "format " + format;
    };
  }

  /** Archive version as one comparable number, e.g. 1.14.0 → 0x010E00. */
  int version() {
    return (versionMajor << 16) | (versionMinor << 8) | versionRevision;
  }
}
