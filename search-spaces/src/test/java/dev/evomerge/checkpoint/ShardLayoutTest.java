package dev.evomerge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardLayoutTest {

    private static TensorSpec f32(String name, long elements) {
        return new TensorSpec(name, DType.F32, Shape.of(elements));
    }

    private static List<List<String>> names(ShardLayout layout) {
        return layout.shards().stream().map(s -> s.tensors().stream().map(TensorSpec::name).toList()).toList();
    }

    @Test
    void oneShardIsTheSingleFileWithoutAnIndex() {
        ShardLayout layout = ShardLayout.plan(List.of(f32("a", 4), f32("b", 4)), 1_000, Path.of("out"));
        assertEquals(List.of(Checkpoint.SINGLE_FILE), layout.shards().stream().map(ShardLayout.Shard::fileName).toList());
        assertFalse(layout.indexed());
        assertEquals(32, layout.totalSize());
    }

    @Test
    void aShardClosesBeforeATensorThatWouldTakeItPastTheLimit() {
        // 16 + 16 fits 40; the third 16 would make 48; the 64-byte tensor is over the limit alone.
        ShardLayout layout = ShardLayout.plan(List.of(f32("a", 4), f32("b", 4), f32("c", 4), f32("big", 16),
                f32("d", 1)), 40, Path.of("out"));
        assertEquals(List.of(List.of("a", "b"), List.of("c"), List.of("big"), List.of("d")), names(layout));
        assertEquals(List.of("model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
                "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors"),
                layout.shards().stream().map(ShardLayout.Shard::fileName).toList());
        assertTrue(layout.indexed());
        assertEquals("model-00003-of-00004.safetensors", layout.weightMap().get("big"));
        assertEquals(List.of("a", "b", "c", "big", "d"), List.copyOf(layout.weightMap().keySet()));
    }

    @Test
    void aTensorNamedTwiceIsRefusedByName() {
        var e = assertThrows(CheckpointException.class,
                () -> ShardLayout.plan(List.of(f32("a", 1), f32("a", 1)), 100, Path.of("out")));
        assertTrue(e.getMessage().contains("tensor 'a': appears twice in the output layout"), e.getMessage());
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ShardLayout.plan(List.of(f32("a", 1)), 0, Path.of("out")));
    }

    @Test
    void theHeaderIsPaddedWithSpacesToEightBytesAndRangesAreBackToBack() {
        SafetensorsHeader h = SafetensorsHeader.of(List.of(f32("w", 3), new TensorSpec("b", DType.BF16, Shape.of(1, 2))));
        String json = new String(h.json(), StandardCharsets.UTF_8);
        assertEquals("{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[12,16]}}", json);
        assertEquals(0, h.length() % 8);
        assertTrue(h.length() - h.json().length < 8);
        assertEquals(16, h.dataBytes());
        assertEquals(8 + h.length() + 16, h.fileSize());
    }

    @Test
    void theModelCardFenceOutgrowsAnyBacktickRunInTheRecipe() {
        String card = ModelCard.of("m", "merge_method: linear\n# ````` in a comment\n");
        assertTrue(card.contains("\n``````yaml\nmerge_method: linear\n"), card);
        assertTrue(card.endsWith("\n``````\n"), card);
        assertTrue(card.contains("# m\n"), card);
    }
}
