package dev.evomerge.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.recipe.ParameterValue.Scalar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipeYamlTest {

    private static final List<String> RECIPES = List.of(RecipeParserTest.LINEAR, RecipeParserTest.TIES,
            RecipeParserTest.SLERP, RecipeParserTest.PASSTHROUGH);

    @Test
    void toYamlParsesBackToAnEqualRecipe() {
        for (String text : RECIPES) {
            MergeRecipe r = RecipeParser.parse(text, "in.yaml");
            String yaml = r.toYaml();
            MergeRecipe back = RecipeParser.parse(yaml, "out.yaml");
            assertEquals(r, back, yaml);
            assertEquals(r.contentHash(), back.contentHash());
            assertEquals(yaml, back.toYaml());
        }
    }

    @Test
    void layerPathIsWrittenOnlyWhenPresent() {
        MergeRecipe pass = RecipeParser.parse(RecipeParserTest.PASSTHROUGH, "p.yaml");
        assertTrue(pass.toYaml().contains("layer_path:"));
        assertFalse(pass.withLayerPath(List.of()).toYaml().contains("layer_path"));
        assertNotEquals(pass.contentHash(), pass.withLayerPath(List.of()).contentHash());
    }

    @Test
    void slerpYamlUsesMergekitShapes() {
        String yaml = RecipeParser.parse(RecipeParserTest.SLERP, "s.yaml").toYaml();
        assertTrue(yaml.contains("""
                  t:
                    - filter: self_attn
                      value: [0.0, 0.5, 0.3, 0.7, 1.0]
                """), yaml);
        assertTrue(yaml.contains("layer_range: [0, 8]"), yaml);
    }

    @Test
    void oddStringsAreQuoted() {
        MergeRecipe r = new MergeRecipe("linear", "yes", List.of(new ModelEntry("my model: v2", null),
                new ModelEntry("1.5", Map.of("weight", Scalar.of(1e-12)))), null, null, null, null, null, null, null);
        MergeRecipe back = RecipeParser.parse(r.toYaml(), "q.yaml");
        assertEquals(r, back, r.toYaml());
    }

    @Test
    void hashIgnoresParameterOrderAndOrigin() {
        Map<String, ParameterValue> ab = new LinkedHashMap<>();
        ab.put("weight", Scalar.of(0.5));
        ab.put("density", Scalar.of(0.2));
        Map<String, ParameterValue> ba = new LinkedHashMap<>();
        ba.put("density", Scalar.of(0.2));
        ba.put("weight", Scalar.of(0.5));
        MergeRecipe x = new MergeRecipe("ties", "./b", List.of(new ModelEntry("./a", ab)), null, null, null, null,
                null, null, null);
        MergeRecipe y = new MergeRecipe("ties", "./b", List.of(new ModelEntry("./a", ba)), null, null, null, null,
                null, null, new RecipeOrigin("elsewhere.yaml", Map.of("merge_method", 4)));
        assertEquals(x, y);
        assertEquals(x.contentHash(), y.contentHash());
    }

    @Test
    void hashIsAStableConstant() {
        // pinned so that a change of the canonical form (which would orphan cached fitness values) is noticed
        MergeRecipe r = RecipeParser.parse(RecipeParserTest.LINEAR, "l.yaml");
        assertEquals("{\"dtype\":\"bfloat16\",\"merge_method\":\"linear\",\"models\":[{\"model\":\"./a\","
                + "\"parameters\":{\"weight\":0.7}},{\"model\":\"./b\",\"parameters\":{\"weight\":0.3}}],"
                + "\"parameters\":{\"normalize\":true},\"v\":1}", RecipeYaml.canonicalJson(r));
        assertEquals(64, r.contentHash().length());
        assertEquals(sha256(RecipeYaml.canonicalJson(r)), r.contentHash());
    }

    @Test
    void hashChangesWithContent() {
        MergeRecipe a = RecipeParser.parse(RecipeParserTest.TIES, "t.yaml");
        MergeRecipe b = RecipeParser.parse(RecipeParserTest.TIES.replace("density: 0.7", "density: 0.71"), "t.yaml");
        MergeRecipe c = RecipeParser.parse(RecipeParserTest.TIES.replace("weight: [1, 0.5]", "weight: [0.5, 1]"),
                "t.yaml");
        assertNotEquals(a.contentHash(), b.contentHash());
        assertNotEquals(a.contentHash(), c.contentHash());
        assertNotEquals(a, b);
    }

    private static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
