/** Limits common to every vendor format (vendors README §1 "Encoding and size"). */
export const PAYLOAD_LIMITS = {
  maxBytes: 1_048_576,
  maxDepth: 32,
  maxLines: 100,
} as const;
