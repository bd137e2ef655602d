package dev.cutter.bench;

import dev.cutter.core.check.derived.StatementAnalysis;
import dev.cutter.core.exec.ExecStatement;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The DDL analysis's CPU per reading of workload (b)'s 10,000 statements, on this thread: {@code plain} as
 * written, {@code follow} with a search_path set second and the views named unqualified (the follower names
 * each). Two lists differing in one comment are read in turn, so that each reading is made afresh.
 */
public final class StatementAnalysisCpu {

  private StatementAnalysisCpu() {}

  public static void main(String[] args) {
    boolean follow = args.length > 0 && args[0].equals("follow");
    int readings = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    List<List<ExecStatement>> lists = List.of(workload(follow, "a"), workload(follow, "b"));
    java.lang.management.ThreadMXBean thread = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 10; i++) {
      StatementAnalysis.of(lists.get(i % 2)); // warm up
    }
    long cpu = thread.getCurrentThreadCpuTime();
    for (int i = 0; i < readings; i++) {
      StatementAnalysis.of(lists.get(i % 2));
    }
    System.out.printf("%s: %.2f ms thread CPU per reading (%d readings)%n", follow ? "follow" : "plain",
        (thread.getCurrentThreadCpuTime() - cpu) / 1e6 / readings, readings);
  }

  /** Workload (b) of {@code bench/apply/bench.py}: 2,000 tables, each with an index, a view and two comments. */
  private static List<ExecStatement> workload(boolean follow, String tag) {
    List<String> texts = new ArrayList<>();
    texts.add("create schema bench;");
    if (follow) {
      texts.add("set search_path = bench, public;");
    }
    for (int i = 0; i < 2000; i++) {
      texts.add("create table bench.t" + i + " (id bigint primary key, name text not null, v numeric(12,2),"
          + " created timestamptz default now());");
      texts.add("create index t" + i + "_name on bench.t" + i + " (name);");
      texts.add("create view " + (follow ? "" : "bench.") + "v" + i + " as select id, name from bench.t" + i + " where v > 0;");
      texts.add("comment on table bench.t" + i + " is E'table " + i + "\\nit''s \\\\ quoted; with a semicolon " + tag + "';");
      texts.add("comment on column bench.t" + i + ".name is E'name of " + i + "\\t(tab)';");
    }
    List<ExecStatement> statements = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      statements.add(new ExecStatement(i + 1, i + 1, texts.get(i)));
    }
    return statements;
  }
}
