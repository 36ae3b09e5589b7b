/**
 * A SourceMap built on first use. Building ~130 FHIRPath strings per payload cost about as much as
 * the rest of the mapping, and the map is only read when a rule fails.
 */
import type { SourceMap } from '../../domain/prescription';
import { sourceMapView } from '../shared/source-map';

export function lazySourceMap(build: () => SourceMap): SourceMap {
  let built: SourceMap | undefined;
  const map = (): SourceMap => (built ??= build());
  return sourceMapView(
    (key) => map()[key],
    () => Object.keys(map()),
    (key, value) => {
      map()[key] = value;
    },
  );
}
