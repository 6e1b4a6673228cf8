import { describe, expect, it } from 'vitest';
import { failureText } from '../../src/cli/failure-text.js';
import { PipelineFailedError } from '../../src/index.js';

describe('failureText', () => {
  it("gives an error's name and message, without the stack", () => {
    expect(failureText(new PipelineFailedError('/user/pipeline/count-0', new Error('boom')), {})).toBe(
      'PipelineFailedError: Pipeline actor /user/pipeline/count-0 kept failing: boom',
    );
    expect(failureText(new RangeError('too far'), { SLUICE_DEBUG: '' })).toBe('RangeError: too far');
  });

  it('gives only the message of a plain Error, and a thrown value that is not an error as a string', () => {
    expect(failureText(new Error('no tsx'), {})).toBe('no tsx');
    expect(failureText('a string', {})).toBe('a string');
  });

  it('gives the stack and the cause chain with SLUICE_DEBUG set', () => {
    const text = failureText(new PipelineFailedError('/user/p', new TypeError('inner')), { SLUICE_DEBUG: '1' });
    expect(text).toMatch(/^PipelineFailedError: Pipeline actor \/user\/p kept failing: inner\n {4}at /);
    expect(text).toContain('[cause]: TypeError: inner');
  });
});
