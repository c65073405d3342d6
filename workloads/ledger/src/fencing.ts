// Who may write (docs/ledger.md, I6), as pure decisions over the fences the write transaction
// read FOR UPDATE. The transaction raises the fences; these functions only judge.

export interface WriterIdentity {
  readonly epoch: number;
  readonly member: string;
  readonly replacedMember?: string;
  /** Members the writer's contract names as Lost (fenced-members): fenced like the replaced one. */
  readonly fencedMembers?: readonly string[];
}

export type FenceVerdict = { readonly ok: true } | { readonly ok: false; readonly fenceEpoch: number };

/** The ledger process itself: refused when a newer ledger (higher epoch) has written. */
export function judgeLedger(ownEpoch: number, ledgerFence: number): FenceVerdict {
  return ownEpoch >= ledgerFence ? { ok: true } : { ok: false, fenceEpoch: ledgerFence };
}

/**
 * An authorization placement's write: refused when its member was replaced at a higher epoch.
 * Stand-in replays pass at any epoch: the terminal was already told "approved".
 */
export function judgeWriter(
  writer: WriterIdentity,
  standIn: boolean,
  memberFence: number | undefined,
): FenceVerdict {
  if (standIn || memberFence === undefined || writer.epoch >= memberFence) return { ok: true };
  return { ok: false, fenceEpoch: memberFence };
}

/**
 * The fences a batch raises: each replaced member and each fenced (Lost) member a writer names, to
 * that writer's epoch; a writer never fences itself.
 */
export function fencesToRaise(writers: readonly WriterIdentity[]): Map<string, number> {
  const raise = new Map<string, number>();
  for (const w of writers) {
    for (const m of [
      ...(w.replacedMember !== undefined ? [w.replacedMember] : []),
      ...(w.fencedMembers ?? []),
    ]) {
      if (m === w.member) continue;
      raise.set(m, Math.max(raise.get(m) ?? 0, w.epoch));
    }
  }
  return raise;
}

/** The authorization fences once `raise` is applied: each the higher of the two. */
export function fencesAfterRaise(
  read: ReadonlyMap<string, number>,
  raise: ReadonlyMap<string, number>,
): Map<string, number> {
  const fences = new Map(read);
  for (const [member, epoch] of raise) fences.set(member, Math.max(fences.get(member) ?? 0, epoch));
  return fences;
}
