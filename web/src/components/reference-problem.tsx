// Where a picker's choices come from a kind of account object the token could not read (no
// permission for it, or the load failed), say so next to that picker: not on every page, and
// not as "not found" for an object that may well exist.

import { describeError } from '../api/client.js';
import { REFERENCE_NAMES, isForbidden, isTransient, useApp, type ReferenceKind } from '../app-context.js';

/** Why `kind` is missing from the pickers, as a sentence; undefined when it loaded. */
export function useReferenceProblem(kind: ReferenceKind | undefined): string | undefined {
  const { referenceFailures } = useApp();
  const failure = kind === undefined ? undefined : referenceFailures[kind];
  if (kind === undefined || failure === undefined) return undefined;
  const name = REFERENCE_NAMES[kind];
  if (isForbidden(failure)) return `${name} cannot be read with this token, so the choices are incomplete: ${describeError(failure)}`;
  return `${name} could not be loaded${isTransient(failure) ? ' (trying again shortly)' : ''}: ${describeError(failure)}`;
}

/** What a chosen id that is not among the choices is labelled with. */
export function useMissingLabel(kind: ReferenceKind | undefined): string {
  const { referencesLoaded, referenceFailures } = useApp();
  const failure = kind === undefined ? undefined : referenceFailures[kind];
  if (!referencesLoaded) return 'loading…';
  if (failure !== undefined) return isForbidden(failure) ? 'cannot be read with this token' : 'could not be loaded';
  return 'not found';
}

/** A notice, for a page, of the kinds among `kinds` that its pickers lack. */
export function ReferenceProblems({ kinds }: { kinds: readonly ReferenceKind[] }) {
  const { referenceFailures } = useApp();
  const failed = kinds.filter((kind) => referenceFailures[kind] !== undefined);
  return (
    <div role="status" class="reference-problems">
      {failed.map((kind) => (
        <ReferenceProblemLine key={kind} kind={kind} />
      ))}
    </div>
  );
}

function ReferenceProblemLine({ kind }: { kind: ReferenceKind }) {
  const problem = useReferenceProblem(kind);
  return problem === undefined ? null : <p class="banner banner-warning">{problem}</p>;
}
