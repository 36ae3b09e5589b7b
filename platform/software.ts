/** The gateway's name and version (package.json), for CapabilityStatement.software and the logs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

export const SOFTWARE = { name: manifest.name, version: manifest.version } as const;
