/**
 * Lock-hazard rules: what a statement of the change will lock, for how long, and what it may
 * destroy, judged from its text and the target's catalog before anything runs; and the policy
 * (package {@code lint}, trust-policy floor) that turns a finding into a P1 refusal.
 */
package dev.cutter.core.lint;
