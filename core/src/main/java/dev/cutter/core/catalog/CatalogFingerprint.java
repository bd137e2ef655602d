package dev.cutter.core.catalog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A fingerprint of catalog objects: one canonical line per object ({@code key → description}) and
 * the sha256 over all lines. Relations carry kind, owner, ACL, row security, persistence, options
 * and (views) a hash of the definition; columns their type, nullability, default, identity,
 * generation and ACL; constraints, indexes, triggers and policies their definitions as the server
 * prints them; schemas their owner and ACL; functions their signature, result, owner, security,
 * settings, ACL and a hash of the body. Each reading is one query. Keys, not only the hash, are
 * kept so that a difference can be named. An ACL the catalog leaves NULL (the default) reads as
 * the default it stands for, so GRANT followed by REVOKE is no difference.
 */
public record CatalogFingerprint(String sha256, SortedMap<String, String> objects) {

  /** The fingerprint of nothing (a report read back from YAML keeps only the sha256). */
  public static final CatalogFingerprint EMPTY = of(Map.of());

  /** How many differences {@link #differences} names before it counts the rest. */
  static final int SHOWN = 20;

  public CatalogFingerprint {
    objects = Collections.unmodifiableSortedMap(new TreeMap<>(objects));
  }

  /** A fingerprint of {@code objects}, hashed over {@code key \t description \n} lines in key order. */
  public static CatalogFingerprint of(Map<String, String> objects) {
    TreeMap<String, String> sorted = new TreeMap<>(objects);
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      sorted.forEach((k, v) -> md.update((k + "\t" + v + "\n").getBytes(StandardCharsets.UTF_8)));
      return new CatalogFingerprint(HexFormat.of().formatHex(md.digest()), sorted);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The rows of each relation in {@code rels(label, oid)}: the relation itself and what hangs off it. */
  private static final String PER_RELATION = """
      select r.label, case when c.oid is null then 'absent' else
               'relation ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
               || ' kind ' || c.relkind::text || ' owner ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner))
               || ' acl ' || coalesce(c.relacl, pg_catalog.acldefault((case when c.relkind = 'S' then 's' else 'r' end)::"char", c.relowner))::text || ' rls ' || c.relrowsecurity || '/' || c.relforcerowsecurity
               || ' persistence ' || c.relpersistence::text || ' options ' || coalesce(c.reloptions::text, '-')
               || case when c.relkind in ('v', 'm') then ' definition md5:' || md5(pg_catalog.pg_get_viewdef(c.oid)) else '' end
             end
        from rels r left join pg_catalog.pg_class c on c.oid = r.oid
        left join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      union all
      select r.label || ' column ' || pg_catalog.quote_ident(a.attname),
             pg_catalog.format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else ' null' end
             || coalesce(' default ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')
             || case when a.attidentity <> '' then ' identity ' || a.attidentity::text else '' end
             || case when a.attgenerated <> '' then ' generated ' || a.attgenerated::text else '' end
             || coalesce(' acl ' || nullif(a.attacl::text, '{}'), '')
        from rels r join pg_catalog.pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
        left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      union all
      select r.label || ' constraint ' || pg_catalog.quote_ident(k.conname),
             pg_catalog.pg_get_constraintdef(k.oid) || case when k.convalidated then '' else ' (not validated)' end
        from rels r join pg_catalog.pg_constraint k on k.conrelid = r.oid
      union all
      select r.label || ' index ' || pg_catalog.quote_ident(ic.relname),
             pg_catalog.pg_get_indexdef(i.indexrelid) || case when i.indisvalid then '' else ' (invalid)' end
        from rels r join pg_catalog.pg_index i on i.indrelid = r.oid join pg_catalog.pg_class ic on ic.oid = i.indexrelid
      union all
      select r.label || ' trigger ' || pg_catalog.quote_ident(g.tgname),
             pg_catalog.pg_get_triggerdef(g.oid) || ' enabled ' || g.tgenabled::text
        from rels r join pg_catalog.pg_trigger g on g.tgrelid = r.oid and not g.tgisinternal
      union all
      select r.label || ' policy ' || pg_catalog.quote_ident(p.polname),
             p.polcmd::text || case when p.polpermissive then ' permissive' else ' restrictive' end
             || ' to ' || p.polroles::text
             || coalesce(' using ' || pg_catalog.pg_get_expr(p.polqual, p.polrelid), '')
             || coalesce(' check ' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '')
        from rels r join pg_catalog.pg_policy p on p.polrelid = r.oid""";

  private static final String RELATIONS = "with rels as (select x.label, pg_catalog.to_regclass(x.label) as oid"
      + " from unnest(?::text[]) as x(label))\n" + PER_RELATION;

  private static final String SCHEMAS = """
      with s as (select n.oid, n.nspname from pg_catalog.pg_namespace n where n.nspname = any (?::name[])),
      rels as (select pg_catalog.quote_ident(s.nspname) || '.' || pg_catalog.quote_ident(c.relname) as label, c.oid
                 from pg_catalog.pg_class c join s on s.oid = c.relnamespace
                where c.relkind not in ('i', 'I', 't'))
      """ + PER_RELATION + """

      union all
      select 'schema ' || pg_catalog.quote_ident(s.nspname), 'owner ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(n.nspowner))
             || ' acl ' || coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))::text
        from s join pg_catalog.pg_namespace n on n.oid = s.oid
      union all
      select 'function ' || pg_catalog.quote_ident(s.nspname) || '.' || pg_catalog.quote_ident(p.proname)
             || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
             'kind ' || p.prokind::text || ' returns ' || coalesce(pg_catalog.pg_get_function_result(p.oid), '-')
             || ' owner ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(p.proowner))
             || ' security ' || case when p.prosecdef then 'definer' else 'invoker' end
             || ' volatility ' || p.provolatile::text || ' config ' || coalesce(p.proconfig::text, '-')
             || ' acl ' || coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))::text || ' body md5:' || md5(coalesce(p.prosrc, '') || coalesce(p.probin, ''))
        from s join pg_catalog.pg_proc p on p.pronamespace = s.oid
      union all
      select 'type ' || pg_catalog.quote_ident(s.nspname) || '.' || pg_catalog.quote_ident(t.typname),
             'kind ' || t.typtype::text || ' owner ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(t.typowner))
             || ' acl ' || coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))::text
             || coalesce(' labels ' || (select string_agg(e.enumlabel::text, ',' order by e.enumsortorder)
                                          from pg_catalog.pg_enum e where e.enumtypid = t.oid), '')
             || coalesce(' base ' || pg_catalog.format_type(nullif(t.typbasetype, 0), t.typtypmod), '')
             || coalesce(' constraints ' || (select string_agg(pg_catalog.pg_get_constraintdef(k.oid), ', ' order by k.conname)
                                               from pg_catalog.pg_constraint k where k.contypid = t.oid), '')
        from s join pg_catalog.pg_type t on t.typnamespace = s.oid
       where t.typtype in ('e', 'd', 'r', 'm') or (t.typtype = 'c' and exists (
               select 1 from pg_catalog.pg_class c where c.oid = t.typrelid and c.relkind = 'c'))""";

  /**
   * The fingerprint of the relations named (as written in SQL, resolved through the session's
   * search_path; one that does not exist is {@code absent}), with their columns, constraints,
   * indexes, triggers and policies. One query.
   */
  public static CatalogFingerprint ofRelations(Connection c, Collection<String> names) throws SQLException {
    return ofRelations(c, names, List.of());
  }

  /**
   * {@link #ofRelations(Connection, Collection)} of {@code names}, and of {@code absentBefore}
   * (relations the change creates before it touches them otherwise) only whether each exists: one
   * cheap query, none for an empty list.
   */
  public static CatalogFingerprint ofRelations(Connection c, Collection<String> names, Collection<String> absentBefore)
      throws SQLException {
    Map<String, String> objects = new TreeMap<>();
    if (!names.isEmpty()) {
      readInto(c, RELATIONS, names.stream().distinct().toArray(String[]::new), objects);
    }
    if (!absentBefore.isEmpty()) {
      readInto(c, PRESENCE, absentBefore.stream().distinct().toArray(String[]::new), objects);
    }
    return of(objects);
  }

  private static final String PRESENCE = "select x.label, case when pg_catalog.to_regclass(x.label) is null"
      + " then 'absent' else 'present (the change creates it)' end from pg_catalog.unnest(?::pg_catalog.text[]) as x(label)";

  /** Whether {@code label}, read by {@link #ofRelations}, named no relation. */
  public boolean absent(String label) {
    return ABSENT.equals(objects.get(label));
  }

  private static final String ABSENT = "absent";

  /** The fingerprint of every relation, function and type in {@code schemas}, and the schemas themselves. One query. */
  public static CatalogFingerprint ofSchemas(Connection c, Collection<String> schemas) throws SQLException {
    return read(c, SCHEMAS, schemas.stream().map(Identifiers::truncate).distinct().toArray(String[]::new));
  }

  private static CatalogFingerprint read(Connection c, String sql, String[] names) throws SQLException {
    Map<String, String> objects = new TreeMap<>();
    readInto(c, sql, names, objects);
    return of(objects);
  }

  private static void readInto(Connection c, String sql, String[] names, Map<String, String> objects) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Array a = c.createArrayOf("text", names);
      ps.setArray(1, a);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          objects.merge(rs.getString(1), String.valueOf(rs.getString(2)), (x, y) -> x + " | " + y);
        }
      }
    }
  }

  /**
   * What differs from {@code other} ({@code this} being before): {@code added: key},
   * {@code removed: key}, {@code changed: key (before → after)}; the first {@link #SHOWN}, then
   * a count. Empty when the two are equal; when either side has no detail (read back from a
   * report) and the hashes differ, one line saying so.
   */
  public List<String> differences(CatalogFingerprint other) {
    List<String> out = new ArrayList<>();
    if (sha256.equals(other.sha256)) {
      return out;
    }
    if (objects.isEmpty() || other.objects.isEmpty()) {
      out.add("catalog fingerprint " + sha256 + " → " + other.sha256);
      return out;
    }
    TreeMap<String, String> keys = new TreeMap<>(objects);
    other.objects.forEach(keys::putIfAbsent);
    int total = 0;
    for (String k : keys.keySet()) {
      String b = objects.get(k);
      String a = other.objects.get(k);
      String line = b == null ? "added: " + k + " (" + a + ")" : a == null ? "removed: " + k + " (" + b + ")"
          : b.equals(a) ? null : "changed: " + k + " (" + b + " → " + a + ")";
      if (line != null) {
        if (total++ < SHOWN) {
          out.add(line);
        }
      }
    }
    if (total > SHOWN) {
      out.add("and " + (total - SHOWN) + " more");
    }
    return out;
  }
}
