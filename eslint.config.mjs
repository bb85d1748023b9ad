// typescript-eslint's type-checked rules over src/ and test/, with Prettier owning the layout (120 columns).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Plain Node scripts outside every tsconfig (as jest.config.js is): Prettier still formats them.
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'bench/',
      'eslint.config.mjs',
      'jest.config.js',
      'test/fixtures/*.js',
      'test/support/slow-first-sequencer.js',
      // The suites' CLI host: runs the built dist/ as its own Node process.
      'test/support/cli-host.js',
      // The e2e suites' OpenID provider: oidc-provider is ESM only, so this runs as its own Node process.
      'test/support/openid-provider.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Nest's decorators and DTOs: classes whose fields are filled by the framework.
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // Tests read JSON answers whose shape is the thing under test.
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
