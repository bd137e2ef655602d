package dev.cutter.core.check.derived;

import java.util.Objects;

/**
 * The role the artifact's statements run as at some point, as their text tells it (R60): the session's role at
 * BEGIN, the role a plain {@code SET ROLE r} named, or one the text cannot tell, which is not compared.
 */
public sealed interface ExpectedRole {

  /** The session's role at BEGIN: the text has switched none. */
  AtBegin AT_BEGIN = new AtBegin();

  /** The text cannot tell. */
  Unknown UNKNOWN = new Unknown();

  /** The session's role at BEGIN ({@link #AT_BEGIN}). */
  record AtBegin() implements ExpectedRole {}

  /** The role a plain {@code SET [SESSION] ROLE r} or {@code SET SESSION AUTHORIZATION r} named, folded as the server folds it. */
  record Named(String name) implements ExpectedRole {
    public Named {
      Objects.requireNonNull(name, "name");
    }
  }

  /** A role the text cannot tell ({@link #UNKNOWN}): after any other switch, or a statement that names a role otherwise. */
  record Unknown() implements ExpectedRole {}
}
