import { descriptorDistance, type DescriptorMetric } from '../../../electron/core/face/descriptor-distance.js';
import { meanTemplate } from '../../../electron/core/face/template.js';
import { equalErrorRate, thresholdForFar, type ScoredPair } from '../../../electron/core/face/verification.js';

/**
 * What growing a reference from verified visits does to 1:1 matching, measured on labelled
 * descriptors (the hub's policy, `HubStore.grow`, replayed): a person is enrolled from one photo,
 * then makes visits; a visit joins the reference only if it is closer to the current reference than
 * the growth bound (at most `max` visits kept, the oldest leaves first). After n visits the
 * reference is scored against the person's held-out photos (genuine) and against every photo of the
 * other people of the same group and gender (impostors). Poisoning: an impostor's own visits
 * against someone else's reference, with the same rule.
 */
export interface Person {
  id: string;
  group: string;
  gender: string | null;
  /** Descriptors in the order they are used: [0] enrols, [1..] are visits, the rest probes. */
  descriptors: number[][];
}

export interface GrowthOptions {
  metric: DescriptorMetric;
  /** Numbers of visits after which the reference is scored (e.g. 0, 1, 2, 4). */
  visits: number[];
  /** Growth bounds to compare: a visit joins only if its distance to the reference is below. */
  bounds: number[];
  /** Visits a reference keeps. */
  max: number;
  targetFar: number[];
}

export interface GrowthRow {
  bound: number;
  visits: number;
  /** Mean number of visit descriptors that joined (genuine people). */
  joined: number;
  genuine: number;
  impostor: number;
  eer: number;
  targets: Array<{ far: number; threshold: number | null; frr: number | null }>;
}

export interface PoisoningRow {
  bound: number;
  /** Share of single impostor visits (other person, same group and gender, one-photo reference) that would join. */
  joinRate: number;
  /** Over impostor (victim, impostor) couples making 4 visits each: share where at least one joined, and mean joined. */
  couplesWithAJoin: number;
  meanJoined: number;
  couples: number;
}

function grow(
  enrol: number[],
  visits: number[][],
  bound: number,
  max: number,
  metric: DescriptorMetric,
): { template: number[]; joined: number[][] } {
  const joined: number[][] = [];
  let template = enrol;
  for (const v of visits) {
    if (descriptorDistance(template, v, metric) < bound) {
      joined.push(v);
      if (joined.length > max) joined.shift();
      template = meanTemplate([enrol, ...joined], metric);
    }
  }
  return { template, joined };
}

export function growthCurves(
  people: Person[],
  o: GrowthOptions,
): { rows: GrowthRow[]; poisoning: PoisoningRow[]; people: number } {
  const maxVisits = Math.max(...o.visits);
  const usable = people.filter((p) => p.descriptors.length >= 2 + maxVisits);
  const peers = (p: Person) => usable.filter((q) => q.id !== p.id && q.group === p.group && q.gender === p.gender);
  const rows: GrowthRow[] = [];
  for (const bound of o.bounds) {
    for (const n of o.visits) {
      const scored: ScoredPair[] = [];
      let joinedSum = 0;
      for (const p of usable) {
        const d = p.descriptors;
        const { template, joined } = grow(d[0]!, d.slice(1, 1 + n), bound, o.max, o.metric);
        joinedSum += joined.length;
        for (const probe of d.slice(1 + maxVisits))
          scored.push({ same: true, distance: descriptorDistance(template, probe, o.metric) });
        for (const q of peers(p))
          for (const probe of q.descriptors)
            scored.push({ same: false, distance: descriptorDistance(template, probe, o.metric) });
      }
      const genuine = scored.filter((s) => s.same).length;
      rows.push({
        bound,
        visits: n,
        joined: usable.length ? joinedSum / usable.length : 0,
        genuine,
        impostor: scored.length - genuine,
        eer: equalErrorRate(scored).eer,
        targets: o.targetFar.map((far) => {
          const t = thresholdForFar(scored, far);
          return { far, threshold: t?.threshold ?? null, frr: t?.rates.frr ?? null };
        }),
      });
    }
  }
  const poisoning = o.bounds.map((bound): PoisoningRow => {
    let tries = 0;
    let joins = 0;
    let couples = 0;
    let withJoin = 0;
    let joinedSum = 0;
    for (const p of usable) {
      for (const q of peers(p)) {
        for (const v of q.descriptors) {
          tries++;
          if (descriptorDistance(p.descriptors[0]!, v, o.metric) < bound) joins++;
        }
        const { joined } = grow(p.descriptors[0]!, q.descriptors.slice(0, 4), bound, o.max, o.metric);
        couples++;
        joinedSum += joined.length;
        if (joined.length) withJoin++;
      }
    }
    return {
      bound,
      joinRate: tries ? joins / tries : 0,
      couplesWithAJoin: couples ? withJoin / couples : 0,
      meanJoined: couples ? joinedSum / couples : 0,
      couples,
    };
  });
  return { rows, poisoning, people: usable.length };
}
