package dev.cutter.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A deterministic DDL-heavy script for benchmarks: tables, indexes, views, comments, and
 * PL/pgSQL functions with dollar quotes, in a repeating pattern of five statements per unit
 * plus one function.
 */
public final class DdlScript {

  /** Statements one {@link #appendUnit} call writes. */
  public static final int STATEMENTS_PER_UNIT = 6;

  private DdlScript() {}

  /** A script of at least {@code minChars} characters. */
  public static String ofSize(int minChars) {
    StringBuilder b = new StringBuilder(minChars + 4096);
    for (int i = 0; b.length() < minChars; i++) {
      appendUnit(b, i);
    }
    return b.toString();
  }

  /** A script of about {@code statements} statements (rounded up to whole units). */
  public static String ofStatements(int statements) {
    StringBuilder b = new StringBuilder(statements * 160);
    for (int i = 0; i * STATEMENTS_PER_UNIT < statements; i++) {
      appendUnit(b, i);
    }
    return b.toString();
  }

  static void appendUnit(StringBuilder b, int i) {
    String t = "app.orders_" + i;
    b.append("-- unit ").append(i).append(": orders partition and its helpers\n")
        .append("create table ").append(t).append(" (\n")
        .append("  id bigint generated always as identity primary key,\n")
        .append("  customer_id bigint not null references app.customers (id),\n")
        .append("  status text not null default 'new' check (status in ('new', 'paid', 'shipped')),\n")
        .append("  note text default E'none; see \\'runbook\\'',\n")
        .append("  total numeric(12,2) not null default 0, /* in cents? no: in units */\n")
        .append("  created_at timestamptz not null default now()\n")
        .append(");\n")
        .append("create index ").append("orders_").append(i).append("_customer_idx on ").append(t)
        .append(" (customer_id, created_at desc) where status <> 'shipped';\n")
        .append("comment on table ").append(t).append(" is 'orders of shard ").append(i).append("; owned by billing';\n")
        .append("create view app.open_orders_").append(i).append(" as\n  select o.id, o.customer_id, o.total\n  from ")
        .append(t).append(" o\n  where o.status in ('new', 'paid') -- open means not shipped; see policy\n  order by o.created_at;\n")
        .append("alter table ").append(t).append(" add column if not exists \"shipped;at\" timestamptz;\n")
        .append("create or replace function app.close_order_").append(i).append("(p_id bigint) returns boolean\n")
        .append("language plpgsql as $fn$\n")
        .append("declare\n  v_status text;\nbegin\n")
        .append("  select status into v_status from ").append(t).append(" where id = p_id for update;\n")
        .append("  if v_status is null then\n    raise exception 'order % not found; nothing closed', p_id;\n  end if;\n")
        .append("  update ").append(t).append(" set status = 'shipped', \"shipped;at\" = now() where id = p_id;\n")
        .append("  return $$done$$ = 'done';\nend;\n$fn$;\n\n");
  }

  /** Writes a script of about N statements: {@code DdlScript N FILE}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: DdlScript STATEMENTS FILE");
      System.exit(2);
    }
    Files.writeString(Path.of(args[1]), ofStatements(Integer.parseInt(args[0])), StandardCharsets.UTF_8);
  }
}
