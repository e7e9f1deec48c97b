import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local/**', '**/*.js', '**/*.mjs', 'circuits/**/target/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read settings through the typed config (libs/config), not process.env.',
        },
        {
          selector: "CallExpression[callee.property.name='producer']",
          message:
            'Make producers with createIdempotentProducer (@rv/kafka): it survives a broker that lost in-flight records (new producer id).',
        },
      ],
    },
  },
  {
    files: ['libs/config/src/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.int-spec.ts', 'libs/testing/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
