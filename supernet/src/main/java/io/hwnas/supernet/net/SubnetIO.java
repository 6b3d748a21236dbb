package io.hwnas.supernet.net;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.AtomicFiles;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A subnet on disk: {@code space.json}, {@code arch.json} and {@code model.params}, each written
 * atomically. {@code model.params} starts with a small header (magic, space id, canonical
 * architecture) followed by DJL's {@code Block.saveParameters} stream, so weights of another
 * architecture are refused by name, and every loaded parameter's shape is checked as well.
 */
public final class SubnetIO {
    public static final String SPACE_FILE = "space.json";
    public static final String ARCH_FILE = "arch.json";
    public static final String PARAMS_FILE = "model.params";
    static final String MAGIC = "hwnas-subnet-params";
    static final int FORMAT = 1;

    private SubnetIO() {}

    public static void save(Path dir, SearchSpace s, Architecture a, Block net) {
        a.check(s);
        try {
            AtomicFiles.write(dir.resolve(PARAMS_FILE), out -> {
                DataOutputStream dos = new DataOutputStream(new BufferedOutputStream(out));
                dos.writeUTF(MAGIC);
                dos.writeInt(FORMAT);
                dos.writeUTF(s.id());
                dos.writeUTF(a.canonical());
                net.saveParameters(dos);
                dos.flush();
            });
        } catch (IOException e) {
            throw new HwnasException(dir.resolve(PARAMS_FILE) + ": cannot write: " + e.getMessage(), e);
        }
        Json.writeFile(dir.resolve(SPACE_FILE), s);
        Json.writeFile(dir.resolve(ARCH_FILE), a);
    }

    public static Subnet load(Path dir, NDManager m) {
        Path spaceFile = dir.resolve(SPACE_FILE);
        Path archFile = dir.resolve(ARCH_FILE);
        Path paramsFile = dir.resolve(PARAMS_FILE);
        SearchSpace s = io.hwnas.supernet.space.SpaceRegistry.checkIdentity(spaceFile, Json.read(spaceFile, SearchSpace.class));
        Architecture a = Json.read(archFile, Architecture.class);
        try {
            a.check(s);
        } catch (HwnasException e) {
            throw HwnasException.inFile(archFile, e.getMessage() + " (space from " + spaceFile + ")");
        }
        Block net = FixedNet.build(s, a);
        net.initialize(m, DataType.FLOAT32, new Shape(1, s.input().channels(), s.input().height(), s.input().width()));
        Map<String, Shape> expected = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : BlockTree.parameters(net).entrySet()) {
            expected.put(e.getKey(), e.getValue().getShape());
        }
        try (InputStream in = Files.newInputStream(paramsFile);
                DataInputStream dis = new DataInputStream(new BufferedInputStream(in))) {
            String magic = readHeader(dis, paramsFile);
            if (!MAGIC.equals(magic)) {
                throw HwnasException.inFile(paramsFile, "not an hwnas subnet parameter file");
            }
            int format = dis.readInt();
            if (format != FORMAT) {
                throw HwnasException.inFile(paramsFile, "parameter format " + format + "; this version reads " + FORMAT);
            }
            String spaceId = dis.readUTF();
            String arch = dis.readUTF();
            if (!spaceId.equals(s.id()) || !arch.equals(a.canonical())) {
                throw HwnasException.inFile(paramsFile, "holds the weights of architecture \"" + arch + "\" (space "
                        + spaceId + "), but " + archFile.getFileName() + " says \"" + a.canonical() + "\" (space "
                        + s.id() + ")");
            }
            net.loadParameters(m, dis);
            if (dis.read() != -1) {
                throw HwnasException.inFile(paramsFile, "has data after the last parameter of " + a.canonical());
            }
        } catch (NoSuchFileException e) {
            throw HwnasException.inFile(paramsFile, "no such file");
        } catch (EOFException e) {
            throw HwnasException.inFile(paramsFile, "ends early (truncated, or weights of another architecture)");
        } catch (IOException | MalformedModelException | RuntimeException e) {
            if (e instanceof HwnasException he) {
                throw he;
            }
            throw HwnasException.inFile(paramsFile, "cannot load the weights of " + a.canonical() + ": " + e.getMessage());
        }
        for (Map.Entry<String, Parameter> e : BlockTree.parameters(net).entrySet()) {
            Shape got = e.getValue().getArray().getShape();
            if (!got.equals(expected.get(e.getKey()))) {
                throw HwnasException.inFile(paramsFile, "parameter " + e.getKey() + " has shape " + got + "; architecture "
                        + a.canonical() + " needs " + expected.get(e.getKey()));
            }
        }
        return new Subnet(s, a, net);
    }

    private static String readHeader(DataInputStream dis, Path file) {
        try {
            return dis.readUTF();
        } catch (IOException e) {
            throw HwnasException.inFile(file, "not an hwnas subnet parameter file");
        }
    }
}
