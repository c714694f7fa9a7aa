package dev.evomerge.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.Checkpoint;
import dev.evomerge.checkpoint.CheckpointWriter;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagedOutputTest {

    @TempDir
    Path tmp;

    @Test
    void stagedAndMappedTensorsGiveTheSameFilesAsWritingThroughTheMapping() throws IOException {
        Path base = SyntheticCheckpoints.llama(tmp.resolve("base"), 2, 16, 40, 48, DType.BF16, 1);
        SyntheticCheckpoints.fineTune(base, tmp.resolve("a"), 0.1f, 2);
        SyntheticCheckpoints.fineTune(base, tmp.resolve("b"), 0.1f, 3);
        MergeRecipe recipe = RecipeParser.parse("""
                merge_method: ties
                base_model: base
                models:
                  - model: a
                    parameters: {weight: 0.6, density: 0.5}
                  - model: b
                    parameters: {weight: 0.4, density: 0.7}
                """, "recipe.yaml");
        try (ModelSet models = ModelSet.open(recipe, tmp)) {
            MergePlan plan = MergePlanner.plan(recipe, models);
            // A buffer smaller than the embeddings (48 x 16 bf16) and larger than a layer's projections: both
            // kinds in one merge, across several shards.
            long cap = 16 * 40 * 2;
            List<String> staged = new ArrayList<>();
            Path mapped = write(plan, models, tmp.resolve("mapped"), null, staged);
            Path viaBuffer = write(plan, models, tmp.resolve("staged"), cap, staged);
            assertTrue(staged.contains("model.layers.0.mlp.up_proj.weight"), staged.toString());
            assertFalse(staged.contains("model.embed_tokens.weight"), staged.toString());
            List<String> files;
            try (var list = Files.list(mapped)) {
                files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).sorted()
                        .toList();
            }
            assertTrue(files.size() > 1, "several shards: " + files);
            for (String f : files) {
                assertArrayEquals(Files.readAllBytes(mapped.resolve(f)), Files.readAllBytes(viaBuffer.resolve(f)), f);
            }
        }
    }

    /** Merges {@code plan} into {@code out}, through a staged output capped at {@code cap} bytes, or mapped. */
    private static Path write(MergePlan plan, ModelSet models, Path out, Long cap, List<String> staged) {
        try (CheckpointWriter writer = CheckpointWriter.create(out)) {
            writer.layout(plan.outputs(), 4000);
            if (cap == null) {
                MergeExecutor.run(plan, models, writer::target, MergeExecutor.Progress.NONE);
            } else {
                try (StagedOutput target = new StagedOutput(writer, plan, cap)) {
                    MergeExecutor.TensorTarget recording = new MergeExecutor.TensorTarget() {
                        @Override
                        public MemorySegment segment(String tensorName) {
                            return target.segment(tensorName);
                        }

                        @Override
                        public void written(String tensorName, MemorySegment segment) {
                            if (!segment.isMapped()) {
                                staged.add(tensorName);
                            }
                            target.written(tensorName, segment);
                        }
                    };
                    MergeExecutor.run(plan, models, recording, MergeExecutor.Progress.NONE);
                }
            }
            writer.writeConfig(plan.outputConfig(), plan.outDtype());
            writer.commit();
        }
        assertTrue(Files.isRegularFile(out.resolve(Checkpoint.CONFIG)));
        return out;
    }
}
