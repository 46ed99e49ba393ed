import { describe, expect, it } from 'vitest';
import { describeObjects, leftText } from './cancel-report';

describe('how a canceled job words what it removed and what is left', () => {
  it('names templates and images in order, singular or plural', () => {
    expect(describeObjects([5], [13, 12])).toEqual(['VM template 5', 'images 12, 13']);
    expect(describeObjects([], [7])).toEqual(['image 7']);
    expect(describeObjects([], [])).toEqual([]);
  });

  it('lists each thing left with why, then the exact commands, pasteable (no trailing period)', () => {
    expect(leftText('in OpenNebula', [])).toBe('');
    expect(
      leftText('in OpenNebula', [
        { what: 'VM template 5', reason: 'OpenNebula refused the request', command: 'onetemplate delete 5' },
        {
          what: 'image 13',
          reason: 'OpenNebula was still copying it after 360 minutes',
          command: 'oneimage delete 13',
        },
      ]),
    ).toBe(
      'Left in OpenNebula: VM template 5 (OpenNebula refused the request); image 13 (OpenNebula was still copying it after 360 minutes). Remove them with: onetemplate delete 5 ; oneimage delete 13',
    );
    expect(
      leftText('on the backup server', [
        { what: 'the partial target /x', reason: 'the backup server did not answer', command: "ssh b 'rm -rf -- /x'" },
      ]),
    ).toBe(
      "Left on the backup server: the partial target /x (the backup server did not answer). Remove it with: ssh b 'rm -rf -- /x'",
    );
  });
});
