import { placeholder } from '@sriov-ts/cni';
import { expect, it } from 'vitest';
it('resolves sibling sources', () => expect(placeholder).toBe('cni'));
