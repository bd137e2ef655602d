package dev.cutter.report;

import java.nio.file.Path;

/**
 * A report on disk: the YAML and Markdown paths, the sha256 of the YAML's bytes (the journal
 * records it) and the scanned report that was written. The paths are null when the files could
 * not be written and the report went to stderr instead.
 */
public record WrittenReport(Path yaml, Path markdown, String yamlSha256, ScannedReport scanned) {}
