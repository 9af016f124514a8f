import { SPEC_PRESETS } from '@/lib/sweep/presets';
import { NewSweepClient } from './client';

export const dynamic = 'force-dynamic';

/** New sweep: `?p=<preset id>` picks the starting spec (default: the nano demo). */
export default async function NewSweepPage({ searchParams }: { searchParams: Promise<{ p?: string }> }) {
  const { p } = await searchParams;
  const preset =
    SPEC_PRESETS.find((s) => s.id === p) ?? SPEC_PRESETS.find((s) => s.id === 'nano-demo') ?? SPEC_PRESETS[0];
  return <NewSweepClient key={preset.id} presetId={preset.id} />;
}
