/**
 * The retention rules the demo applies to its simulated accounts: one rule per provider, each hitting a few
 * dozen of the generated assets, well inside the safety caps.
 */
export const DEMO_RULES_YAML = `# Retention rules of the asset-worker demo (see CONTRACT.md for the format).
safety:
  maxActionsPerRun: 100
  maxCatalogFraction: 0.1
  maxSyncAgeMinutes: 60
  protectedTags: [legal-hold]
rules:
  - name: archive-stuck-affogato-videos
    provider: affogato
    action: archive
    when:
      status: [censored, pending]
      kind: [video]
  - name: trash-old-2023-campaign-samples
    provider: mediapocket
    action: trash
    when:
      notUpdatedForDays: 365
      category: [sample]
      tagsAny: [campaign-2023]
      tagsNone: [evergreen]
  - name: delete-failed-roughy-uploads
    provider: roughy
    action: delete
    when:
      status: [failed]
      olderThanDays: 270
`;
