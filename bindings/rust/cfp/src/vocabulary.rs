//! The graph vocabulary of `cfp.h` as Rust enums.
use cfp_sys as sys;

use crate::error::static_str;

macro_rules! c_enum {
    ($(#[$meta:meta])* $name:ident => $sys:ident { $($variant:ident = $value:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u32)]
        pub enum $name {
            $($variant = $value,)*
        }

        impl $name {
            /// The numeric value of `cfp.h`.
            pub fn code(self) -> u32 {
                self as u32
            }

            /// The value with this code, if this binding knows it.
            pub fn from_code(code: u32) -> Option<Self> {
                match code {
                    $($value => Some(Self::$variant),)*
                    _ => None,
                }
            }

            #[allow(dead_code)]
            pub(crate) fn raw(self) -> sys::$sys {
                sys::$sys(self as u32)
            }
        }
    };
}

macro_rules! library_name {
    ($name:ident, $fn:ident, $example:literal) => {
        impl $name {
            #[doc = concat!("The library's name, e.g. \"", $example, "\".")]
            pub fn name(self) -> &'static str {
                // SAFETY: the library returns a static string for every value.
                unsafe { static_str(sys::$fn(self.raw())) }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

c_enum! {
    /// An element type (`cfp_dtype`).
    DType => cfp_dtype {
        F32 = 0, BF16 = 1, F16 = 2, F8E4M3 = 3, I32 = 4, I64 = 5, Bool = 6,
    }
}
library_name!(DType, cfp_dtype_name, "bf16");

c_enum! {
    /// What a tensor is in the training step (`cfp_tensor_role`).
    TensorRole => cfp_tensor_role {
        DataInput = 0, Parameter = 1, OptimizerState = 2, Activation = 3, Gradient = 4, Constant = 5,
    }
}
library_name!(TensorRole, cfp_tensor_role_name, "parameter");

c_enum! {
    /// The part of the training step an operator belongs to (`cfp_phase`).
    Phase => cfp_phase {
        Forward = 0, Backward = 1, Update = 2,
    }
}

c_enum! {
    /// An operator kind at XLA-HLO granularity (`cfp_op_kind`); `cfp.h` lists the
    /// attributes each kind reads.
    OpKind => cfp_op_kind {
        Abs = 0, Neg = 1, Exp = 2, Log = 3, Sqrt = 4, Rsqrt = 5, Tanh = 6, Logistic = 7, Sin = 8,
        Cos = 9, Convert = 10, Copy = 11,
        Add = 20, Subtract = 21, Multiply = 22, Divide = 23, Maximum = 24, Minimum = 25, Power = 26,
        Compare = 27, Select = 28,
        Broadcast = 40, Reshape = 41, Transpose = 42, Slice = 43, Pad = 44, Concatenate = 45,
        Iota = 46,
        ReduceSum = 60, ReduceMax = 61, ReduceMin = 62,
        Dot = 80,
        Gather = 100, ScatterAdd = 101,
        Custom = 200,
    }
}
library_name!(OpKind, cfp_op_kind_name, "dot");

c_enum! {
    /// An operator attribute key (`cfp_attr`).
    Attr => cfp_attr {
        Dims = 0, LhsBatch = 1, RhsBatch = 2, LhsContract = 3, RhsContract = 4, Starts = 5,
        Limits = 6, PadLow = 7, PadHigh = 8, Axis = 9, Comparison = 10, PadValue = 11,
        FlopsPerPoint = 12,
    }
}

c_enum! {
    /// The predicate of an [`OpKind::Compare`] (`cfp_comparison`), set with
    /// [`Attr::Comparison`].
    Comparison => cfp_comparison {
        Eq = 0, Ne = 1, Lt = 2, Le = 3, Gt = 4, Ge = 5,
    }
}

c_enum! {
    /// The kind of a collective a plan inserts (`cfp_collective_kind`).
    CollectiveKind => cfp_collective_kind {
        AllReduce = 0, AllGather = 1, ReduceScatter = 2, AllToAll = 3,
    }
}

impl std::fmt::Display for CollectiveKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CollectiveKind::AllReduce => "all-reduce",
            CollectiveKind::AllGather => "all-gather",
            CollectiveKind::ReduceScatter => "reduce-scatter",
            CollectiveKind::AllToAll => "all-to-all",
        })
    }
}

c_enum! {
    /// A search statistic of a plan (`cfp_stat`); times are in seconds.
    Stat => cfp_stat {
        TimeLoad = 0, TimeBlocks = 1, TimeSegments = 2, TimeCosts = 3, TimeSearch = 4, Ops = 5,
        Blocks = 6, Segments = 7, UniqueSegments = 8, ConfigurationsCosted = 9,
        ConfigurationsProfiled = 10, ConfigurationsReused = 11, OpsOutsideBlocks = 12,
    }
}
