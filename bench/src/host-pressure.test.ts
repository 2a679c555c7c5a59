import { describe, expect, it } from 'vitest';
import { pressureShare, pressureTotalUs } from './host-pressure.ts';

describe('host CPU pressure', () => {
  it('reads the some line total, not the full line', () => {
    const text = 'some avg10=9.37 avg60=14.00 avg300=15.78 total=314688793\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n';
    expect(pressureTotalUs(text)).toBe(314_688_793);
  });

  it('says nothing for text that is not PSI', () => {
    expect(pressureTotalUs('')).toBeNull();
    expect(pressureTotalUs('full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n')).toBeNull();
    expect(pressureTotalUs('some avg10=1 total=abc\n')).toBeNull();
  });

  it('gives the stalled share of the window in percent', () => {
    expect(pressureShare(1_000_000, 1_190_000, 2000)).toBe(9.5); // 190 ms stalled in 2 s
    expect(pressureShare(5, 5, 2000)).toBe(0);
  });

  it('is NaN for an empty window or a counter that went back', () => {
    expect(pressureShare(0, 10, 0)).toBeNaN();
    expect(pressureShare(10, 5, 2000)).toBeNaN();
  });
});
