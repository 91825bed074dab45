/**
 * Imports every custom kernel module, which registers its kernels with TensorFlow.js.
 * Import this once (side effect only) before running the ops that need them.
 *
 * @module
 */
import "./fft_conv_cpu.ts";
import "./fft_conv_wasm.ts";
import "./fft_conv_tensorflow.ts";
import "./fft_conv_webgpu.ts";
import "./attention_kernels.ts";
import "./gram_kernels.ts";
import "./geometric_product_kernels.ts";
import "./mv_silu_kernels.ts";
import "./wasm_shared_identity.ts";
import "./wasm_matmul.ts";
import "./wasm_slice.ts";
import "./wasm_sum.ts";
import "./wasm_concat.ts";
