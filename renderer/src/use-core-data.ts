import { useCallback, useEffect, useEffectEvent, useState } from 'react';

/** What a screen knows about one thing it reads from core. */
export interface CoreData<T> {
  /** Core's last good answer: null until the first one; kept while reloading and after a failed reload. */
  data: T | null;
  /** The last load failed, in the caller's words (`describe`); '' when it did not, or without `describe`. */
  error: string;
  /** The last load failed (with or without words for it); false again once a load succeeds. */
  failed: boolean;
  /** A load is under way (the first one, after `deps` changed, or after `reload()`). */
  loading: boolean;
  /** Asks core again (a Refresh button, an action that changed the data, a core event). */
  reload: () => void;
}

/** One load: a fresh object each time, so the effect below runs once per request. */
interface Request {
  deps: readonly unknown[];
}

interface Settled<T> {
  request: Request | null;
  data: T | null;
  failure: { error: unknown } | null;
}

const sameDeps = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/**
 * THE way a screen reads data from core (through `call` in kiosk.ts): loads once on opening, again
 * when a value in `deps` changes and on `reload()`, never on its own (no polling: in staff mode each
 * call counts as activity and would keep the session from going idle). It always runs the newest
 * `load` (a loader may read the form's current values, e.g. a report's dates, and still list `[]`).
 * An answer that arrives after the screen closed, or after a newer request began, is dropped.
 * `describe` turns a failure into the screen's words (e.g. the staff screens' `errorText`); it is
 * applied as the screen renders, so the words follow a change of language.
 */
export function useCoreData<T>(
  load: () => Promise<T>,
  deps: readonly unknown[] = [],
  describe?: (err: unknown) => string,
): CoreData<T> {
  const [request, setRequest] = useState<Request>(() => ({ deps }));
  // New deps are a new request, started in this same render (React's "adjust state on a prop change").
  if (!sameDeps(request.deps, deps)) setRequest({ deps });
  const [settled, setSettled] = useState<Settled<T>>({ request: null, data: null, failure: null });
  const run = useEffectEvent(load);

  useEffect(() => {
    let live = true;
    run().then(
      (data) => {
        if (live) setSettled({ request, data, failure: null });
      },
      (error: unknown) => {
        if (live) setSettled((s) => ({ request, data: s.data, failure: { error } }));
      },
    );
    return () => {
      live = false;
    };
  }, [request]);

  const reload = useCallback(() => setRequest((r) => ({ deps: r.deps })), []);
  const failed = settled.failure !== null;
  return {
    data: settled.data,
    error: settled.failure && describe ? describe(settled.failure.error) : '',
    failed,
    loading: settled.request !== request,
    reload,
  };
}
