package dev.evomerge.space;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a {@link ParameterSpace} lays out and bounds its genes beyond mergekit-evolve's genome: the genome keys
 * {@code max_weight}, {@code end_genes} and {@code dtype}. Read from the same {@code genome:} node as
 * {@link GenomeDefinition}.
 *
 * @param maxWeight  upper bound of every weight gene ({@code -maxWeight} is the lower with
 *                   {@code allow_negative_weights}, else 0)
 * @param endGenes   whether the embeddings and the final norm + {@code lm_head} get genes of their own (else
 *                   they follow the first and the last layer group, as in mergekit-evolve)
 * @param minDensity lower bound of every density gene: mergekit refuses a density that keeps no element
 * @param dtype      the recipe's {@code dtype}, or {@code null} to merge in the models' own dtype
 */
public record GeneOptions(double maxWeight, boolean endGenes, double minDensity, String dtype) {

    /** The genome keys read here (besides {@link GenomeDefinition}'s). */
    static final java.util.Set<String> KEYS = java.util.Set.of("max_weight", "end_genes", "dtype");

    /** dtypes a recipe may name. */
    private static final java.util.Set<String> DTYPES = java.util.Set.of("float32", "float16", "bfloat16");

    /** mergekit-evolve's own layout: weights in [0, 1], shared end genes, merged in bfloat16. */
    public static final GeneOptions MERGEKIT_EVOLVE = new GeneOptions(1.0, false, 0.0, "bfloat16");

    /** What a search uses unless the genome says otherwise. */
    public static final GeneOptions DEFAULT = new GeneOptions(2.0, true, 0.05, null);

    public GeneOptions {
        if (!(maxWeight > 0) || Double.isInfinite(maxWeight)) {
            throw new IllegalArgumentException("genome.max_weight: must be a positive number, got " + maxWeight);
        }
        if (!(minDensity >= 0 && minDensity < 1)) {
            throw new IllegalArgumentException("genome density floor must be in [0, 1), got " + minDensity);
        }
        if (dtype != null && !DTYPES.contains(dtype)) {
            throw new IllegalArgumentException("genome.dtype: must be one of float32, float16, bfloat16, got '"
                    + dtype + "'");
        }
    }

    /**
     * The options a {@code genome:} node sets, {@link #DEFAULT} for the keys it leaves out.
     *
     * @throws IllegalArgumentException one line naming {@code source} and the key
     */
    public static GeneOptions parse(JsonNode genome, String source) {
        String where = source + ": ";
        try {
            double maxWeight = DEFAULT.maxWeight;
            JsonNode w = genome.get("max_weight");
            if (w != null && !w.isNull()) {
                if (!w.isNumber()) {
                    throw new IllegalArgumentException("genome.max_weight: must be a number");
                }
                maxWeight = w.doubleValue();
            }
            boolean endGenes = DEFAULT.endGenes;
            JsonNode e = genome.get("end_genes");
            if (e != null && !e.isNull()) {
                if (!e.isBoolean()) {
                    throw new IllegalArgumentException("genome.end_genes: must be true or false");
                }
                endGenes = e.booleanValue();
            }
            String dtype = DEFAULT.dtype;
            JsonNode d = genome.get("dtype");
            if (d != null && !d.isNull()) {
                if (!d.isTextual()) {
                    throw new IllegalArgumentException("genome.dtype: must be one of float32, float16, bfloat16");
                }
                dtype = d.asText();
            }
            return new GeneOptions(maxWeight, endGenes, DEFAULT.minDensity, dtype);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(where + ex.getMessage(), ex);
        }
    }
}
