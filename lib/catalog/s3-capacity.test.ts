import { describe, expect, it } from 'vitest';
import { s3MonitorCapacity } from './s3-capacity';

describe('s3MonitorCapacity', () => {
  it('sums the backup images against TOTAL_MB, as the S3 monitor does', () => {
    const images = [
      { type: 'BACKUP', sizeMb: 300 },
      { type: 'BACKUP', sizeMb: 200 },
      { type: 'OS', sizeMb: 9_999 },
    ];
    expect(s3MonitorCapacity(images, { TOTAL_MB: '1000' })).toEqual({ usedMb: 500, totalMb: 1000, freeMb: 500 });
  });

  it('defaults TOTAL_MB to 1 TiB and never reports negative free space', () => {
    expect(s3MonitorCapacity([], {})).toEqual({ usedMb: 0, totalMb: 1_048_576, freeMb: 1_048_576 });
    expect(s3MonitorCapacity([{ type: 'BACKUP', sizeMb: 50 }], { TOTAL_MB: '10' }).freeMb).toBe(0);
  });
});
