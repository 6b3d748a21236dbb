package io.hwnas.supernet.net;

import ai.djl.nn.Block;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;

/** A standalone network loaded by {@link SubnetIO#load}: its space, its architecture and the block. */
public record Subnet(SearchSpace space, Architecture arch, Block net) {}
