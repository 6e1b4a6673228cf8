/** The input of the checkpointed kill-test job, shared by the job and the test that checks it. */
export const WORDS = Array.from({ length: 1_200 }, (_, i) => `w${(i * 13) % 37}`);
