package dev.cutter.backup;

import java.util.List;

/**
 * What a complete walk of a custom-format archive found: its header, the number of TOC entries,
 * the TABLE DATA entries (schema-qualified, exactly as in the TOC) and the data blocks read.
 */
public record ArchiveSummary(ArchiveHeader header, int tocEntries, List<QualifiedName> tableData, int dataBlocks) {

  public ArchiveSummary {
    tableData = List.copyOf(tableData);
  }

  /** A schema and a relation name, unquoted, as the catalog and the TOC hold them. */
  public record QualifiedName(String schema, String name) implements Comparable<QualifiedName> {
    @Override
    public int compareTo(QualifiedName o) {
      int c = schema.compareTo(o.schema);
      return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
      return schema + "." + name;
    }
  }
}
