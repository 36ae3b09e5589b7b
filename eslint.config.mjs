// ESLint flat config: @eslint/js recommended + typescript-eslint recommended (syntactic only, no type
// information, so a full run stays within a few seconds), then eslint-config-prettier last so that
// formatting is Prettier's business alone (`npm run lint:format`).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'node_modules/',
    'dist/',
    '.run/',
    'fhir-server/target/',
    'tools/cda-validator/target/',
    'profiles/ans-cda/',
    // Test data, including test/fixtures/layering: deliberate import-boundary violations for test/unit/layering.test.ts.
    'test/fixtures/',
    'console/dist/',
  ]),
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrors: 'none',
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      // Production code logs through pino (platform/logger.ts).
      'no-console': 'error',
    },
  },
  {
    // Command-line tools, the development issuer, benchmarks and tests talk to a terminal.
    files: ['scripts/**/*.ts', 'dev/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: {
      'no-console': 'off',
    },
  },
  {
    // Tests reshape JSON fixtures freely (delete a member, break a type) to build bad payloads.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [prettier],
  },
);
