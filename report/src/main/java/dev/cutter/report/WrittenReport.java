package dev.cutter.report;

import java.nio.file.Path;

/**
 * A report on disk: the YAML and Markdown paths, the sha256 of the YAML's bytes (the journal
 * records it) and the scanned report that was written.
 */
public record WrittenReport(Path yaml, Path markdown, String yamlSha256, ScannedReport scanned) {}
