package dev.cutter.core.scaffold;

import dev.cutter.core.catalog.Identity;
import dev.cutter.core.text.YamlText;

/**
 * The {@code target:} block of a package.yaml, the one writer of it: {@code cutter package new}
 * writes it into the package, {@code cutter target} prints it to paste. Each line carries a comment
 * saying where its value came from.
 */
public final class TargetBlock {

  private TargetBlock() {}

  /**
   * The block's lines for the server {@code id} describes, {@code applyRole} as its apply_role and
   * {@code applyRoleComment} saying where that role came from.
   */
  public static String text(Identity id, String applyRole, String applyRoleComment) {
    return PackageYaml.commented("target:", "the server this package may change, read from it")
        + PackageYaml.commented("  database: " + YamlText.scalar(id.database()), "current_database() of the target")
        + PackageYaml.commented("  system_identifier: \"" + id.systemIdentifier() + "\"",
            "pg_control_system(): this cluster only (a dry-run's sandbox is another and is not compared)")
        + PackageYaml.commented("  server_version: " + id.serverMajor(), "the target runs " + id.serverVersion()
            + ": another major version is BLOCKED")
        + PackageYaml.commented("  apply_role: " + YamlText.scalar(applyRole), applyRoleComment);
  }
}
