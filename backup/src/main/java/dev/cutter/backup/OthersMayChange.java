package dev.cutter.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether someone other than root and the running user could change a path: the file or
 * directory it resolves to (owned by another user, or writable by group or others), or a directory
 * above it, as named and with links resolved (owned by another user, or writable by group or
 * others without its sticky bit: whoever may rename its entries can put something of their own in
 * place of what was checked).
 */
final class OthersMayChange {

  private static final int STICKY = 01000;

  /** Where and why: {@code notOwned} when another user owns {@code where}, else it is writable by others. */
  record Finding(Path where, boolean notOwned, String found) {}

  private OthersMayChange() {}

  /**
   * The first directory above {@code p} that someone else could change; empty when none (or no POSIX modes). Looked
   * at above {@code p} as named, above each link it leads through on the way to its file (whoever may rename an entry
   * of a directory holding one points it elsewhere), and above the file resolved.
   */
  static Optional<Finding> above(Path p) throws IOException {
    Path named = p.toAbsolutePath();
    Set<Path> seen = new HashSet<>();
    for (Path q : way(named)) {
      for (Path a = q.getParent(); a != null; a = a.getParent()) {
        if (seen.add(a)) {
          Optional<Finding> f = at(a, true);
          if (f.isPresent()) {
            return f;
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * {@code named}, each link it leads through in turn (and each link's directory resolved, where a link lies
   * behind a linked directory), then the file resolved.
   */
  private static List<Path> way(Path named) throws IOException {
    List<Path> out = new ArrayList<>();
    Path cur = named;
    for (int hops = 0; hops < 40; hops++) {
      out.add(cur);
      if (!Files.isSymbolicLink(cur)) {
        break;
      }
      Path dir = cur.getParent().toRealPath();
      out.add(dir.resolve(cur.getFileName()));
      cur = dir.resolve(Files.readSymbolicLink(cur));
    }
    out.add(named.toRealPath());
    return out;
  }

  /**
   * {@code p} itself (links followed): owned by root or the running user, writable by nobody else
   * (a directory's sticky bit allowed when {@code stickyAllowed}).
   */
  static Optional<Finding> at(Path p, boolean stickyAllowed) throws IOException {
    PosixFileAttributes attrs;
    int uid;
    int mode;
    try {
      attrs = Files.readAttributes(p, PosixFileAttributes.class);
      uid = (Integer) Files.getAttribute(p, "unix:uid");
      mode = (Integer) Files.getAttribute(p, "unix:mode");
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return Optional.empty(); // no POSIX owner and modes on this file system
    }
    if (uid != 0 && !ownedByRunningUser(p, attrs)) {
      return Optional.of(new Finding(p, true, p + ": owner " + attrs.owner().getName()));
    }
    boolean writable = attrs.permissions().contains(PosixFilePermission.GROUP_WRITE)
        || attrs.permissions().contains(PosixFilePermission.OTHERS_WRITE);
    if (writable && !(stickyAllowed && attrs.isDirectory() && (mode & STICKY) != 0)) {
      return Optional.of(new Finding(p, false, p + ": mode " + PosixFilePermissions.toString(attrs.permissions())));
    }
    return Optional.empty();
  }

  /**
   * Compares the owner with the process's user id where the system shows it
   * ({@code /proc/self}), else with the user named {@code user.name}: a process whose user id has no
   * name (a container's arbitrary user) is still recognised as the owner of what it created.
   */
  static boolean ownedByRunningUser(Path d, PosixFileAttributes attrs) throws IOException {
    try {
      Object mine = Files.getAttribute(d.getFileSystem().getPath("/proc/self"), "unix:uid");
      return mine.equals(Files.getAttribute(d, "unix:uid"));
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      UserPrincipal me = d.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName(System.getProperty("user.name"));
      return attrs.owner().equals(me);
    }
  }
}
